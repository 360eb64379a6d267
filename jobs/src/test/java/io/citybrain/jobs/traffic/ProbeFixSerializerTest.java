package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.jobs.common.KafkaCoordinate;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ProbeFixSerializerTest {

  private static final KafkaCoordinate AT =
      new KafkaCoordinate("city.raw.traffic", 3, 123_456_789L);

  static final List<ProbeFix> FIXES =
      List.of(
          new ProbeFix(
              "P-00042", "probe", 1_767_600_000_123L, 120.1, 30.2, 42.5, 271.0, 1, 0, 0, AT),
          new ProbeFix(
              "L-7", "loop", 1_767_600_000_000L, 120.1, 30.2, 38.0, null, 12, 60, 0.25, AT),
          // A loop that counted exactly what a probe carries still keeps its kind.
          new ProbeFix("L-8", "loop", 5, 0, 0, 0, null, 1, 0, 0, AT),
          new ProbeFix("B-1", "bus", -5, -0.1, -51.5, 0, 0.0, 2, 1, 0.5, null),
          new ProbeFix("P-x", null, 0, 0, 0, 0, null, 1, 0, 0, new KafkaCoordinate("t", -1, -1)),
          // Hostile values come back as they went: ids outside the contract's pattern (the
          // decoder refuses them, but the serializer must not be what breaks), surrogate pairs,
          // control characters, a long id, extreme and non-finite numbers.
          new ProbeFix(
              "P-\uD83D\uDE97\u0000\u001b\uFEFF" + "x".repeat(5_000),
              "probe",
              Long.MIN_VALUE,
              Double.NaN,
              Double.NEGATIVE_INFINITY,
              Double.MAX_VALUE,
              -0.0,
              1,
              0,
              0,
              new KafkaCoordinate("city.raw.traffic", Integer.MAX_VALUE, Long.MAX_VALUE)),
          new ProbeFix(null, "", Long.MAX_VALUE, 0, 0, 0, Double.NaN, 0, 0, 1, null));

  private static byte[] write(TypeSerializer<ProbeFix> s, ProbeFix f) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(f, out);
    return out.getCopyOfBuffer();
  }

  @Test
  void everyFieldComesBackAsItWas() throws Exception {
    for (ProbeFix f : FIXES) {
      byte[] bytes = write(ProbeFixSerializer.INSTANCE, f);
      ProbeFix back = ProbeFixSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
      assertThat(back).isEqualTo(f);
      DataOutputSerializer copied = new DataOutputSerializer(64);
      ProbeFixSerializer.INSTANCE.copy(new DataInputDeserializer(bytes), copied);
      assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
    }
  }

  @Test
  void flinkUsesItForProbeFixesAndAProbeTakesTwoThirdsOfTheRecordSerializersBytes()
      throws Exception {
    TypeSerializer<ProbeFix> used =
        TypeInformation.of(ProbeFix.class).createSerializer(new SerializerConfigImpl());
    assertThat(used).isSameAs(ProbeFixSerializer.INSTANCE);

    // What Flink wrote before: a record as a POJO, as the savepoints before 2026-12-07 hold it.
    TypeSerializer<ProbeFix> record =
        new RecordAsPojo().info().createSerializer(new SerializerConfigImpl());
    assertThat(record).isInstanceOf(PojoSerializer.class);
    int before = write(record, FIXES.get(0)).length;
    int after = write(ProbeFixSerializer.INSTANCE, FIXES.get(0)).length;
    assertThat(after).isLessThan(before * 2 / 3 + 1);
    assertThat(
            ProbeFixSerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(record.snapshotConfiguration())
                .isCompatibleAfterMigration())
        .isTrue();
  }

  /** Flink's own analysis of the record, which the annotation now bypasses. */
  private static final class RecordAsPojo
      extends org.apache.flink.api.java.typeutils.TypeExtractor {
    TypeInformation<ProbeFix> info() {
      return analyzePojo(ProbeFix.class, new java.util.ArrayList<>(), null, null);
    }
  }
}
