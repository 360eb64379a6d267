package io.citybrain.connectors.influx;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.citybrain.contract.Row;
import java.util.Map;

/** A contract row ({@link Row}, checked against its measurement) as the InfluxDB client's point. */
public final class Points {
  private Points() {}

  public static Point of(Row row) {
    Point p = Point.measurement(row.measurement().name()).time(row.timeMs(), WritePrecision.MS);
    p.addTags(row.tags());
    for (Map.Entry<String, Object> f : row.fields().entrySet()) {
      // The row holds each field in its column's type; the client writes a Long with "i".
      Object v = f.getValue();
      if (v instanceof Double d) {
        p.addField(f.getKey(), d);
      } else if (v instanceof Long l) {
        p.addField(f.getKey(), l);
      } else {
        p.addField(f.getKey(), (String) v);
      }
    }
    return p;
  }
}
