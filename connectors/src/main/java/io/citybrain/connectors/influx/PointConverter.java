package io.citybrain.connectors.influx;

import com.influxdb.client.write.Point;
import java.io.Serializable;

/**
 * Turns a record into one InfluxDB point. A converter must write every field of the point (the
 * embedded store replaces whole rows) and use the window end as the time, so a replay overwrites.
 */
@FunctionalInterface
public interface PointConverter<T> extends Serializable {
  Point toPoint(T value);
}
