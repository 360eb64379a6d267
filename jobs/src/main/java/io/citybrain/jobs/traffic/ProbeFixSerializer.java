package io.citybrain.jobs.traffic;

import io.citybrain.jobs.common.KafkaCoordinate;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link ProbeFix} on the wire between the decoding task and the vehicles' task, and in the state
 * of a reading waiting for the watermark (issue 22). Flink's record serializer wrote every field
 * with a null marker, the kind's text and the loop-only fields of every probe: about 130 bytes a
 * probe. This one writes the kind and which fields are absent in one byte, and leaves out a probe's
 * constant loop fields: about 86 bytes.
 *
 * <p>Savepoints of the builds before it hold pending readings written by Flink's record serializer;
 * their snapshot says so, and this serializer's snapshot answers "compatible after migration":
 * Flink reads them with the old serializer and writes them with this one.
 */
public final class ProbeFixSerializer extends TypeSerializerSingleton<ProbeFix> {
  private static final long serialVersionUID = 1L;

  public static final ProbeFixSerializer INSTANCE = new ProbeFixSerializer();

  private static final int KIND_MASK = 0b11;
  private static final int KIND_OTHER = 0;
  private static final int KIND_PROBE = 1;
  private static final int KIND_LOOP = 2;
  private static final int HEADING = 1 << 2;

  /** count 1, interval 0, occupancy 0: what every probe carries; not written. */
  private static final int PROBE_COUNTS = 1 << 3;

  private static final int NO_ORIGIN = 1 << 4;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public ProbeFix createInstance() {
    return null;
  }

  @Override
  public ProbeFix copy(ProbeFix from) {
    return from;
  }

  @Override
  public ProbeFix copy(ProbeFix from, ProbeFix reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(ProbeFix f, DataOutputView out) throws IOException {
    int kind =
        "probe".equals(f.kind()) ? KIND_PROBE : "loop".equals(f.kind()) ? KIND_LOOP : KIND_OTHER;
    boolean probeCounts = f.count() == 1 && f.intervalS() == 0 && f.occupancy() == 0;
    out.writeByte(
        kind
            | (f.headingDeg() != null ? HEADING : 0)
            | (probeCounts ? PROBE_COUNTS : 0)
            | (f.origin() == null ? NO_ORIGIN : 0));
    StringValue.writeString(f.deviceId(), out);
    if (kind == KIND_OTHER) {
      StringValue.writeString(f.kind(), out);
    }
    out.writeLong(f.ts());
    out.writeDouble(f.lon());
    out.writeDouble(f.lat());
    out.writeDouble(f.speedKmh());
    if (f.headingDeg() != null) {
      out.writeDouble(f.headingDeg());
    }
    if (!probeCounts) {
      out.writeDouble(f.count());
      out.writeDouble(f.intervalS());
      out.writeDouble(f.occupancy());
    }
    if (f.origin() != null) {
      StringValue.writeString(f.origin().topic(), out);
      out.writeInt(f.origin().partition());
      out.writeLong(f.origin().offset());
    }
  }

  @Override
  public ProbeFix deserialize(DataInputView in) throws IOException {
    int flags = in.readUnsignedByte();
    String deviceId = StringValue.readString(in);
    String kind =
        switch (flags & KIND_MASK) {
          case KIND_PROBE -> "probe";
          case KIND_LOOP -> "loop";
          default -> StringValue.readString(in);
        };
    long ts = in.readLong();
    double lon = in.readDouble();
    double lat = in.readDouble();
    double speed = in.readDouble();
    Double heading = (flags & HEADING) != 0 ? in.readDouble() : null;
    double count = 1;
    double interval = 0;
    double occupancy = 0;
    if ((flags & PROBE_COUNTS) == 0) {
      count = in.readDouble();
      interval = in.readDouble();
      occupancy = in.readDouble();
    }
    KafkaCoordinate origin =
        (flags & NO_ORIGIN) != 0
            ? null
            : new KafkaCoordinate(StringValue.readString(in), in.readInt(), in.readLong());
    return new ProbeFix(
        deviceId, kind, ts, lon, lat, speed, heading, count, interval, occupancy, origin);
  }

  @Override
  public ProbeFix deserialize(ProbeFix reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<ProbeFix> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Has no configuration; reads the record serializer's snapshots of earlier savepoints. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ProbeFix> {
    public Snapshot() {
      super(() -> INSTANCE);
    }

    @Override
    public TypeSerializerSchemaCompatibility<ProbeFix> resolveSchemaCompatibility(
        TypeSerializerSnapshot<ProbeFix> old) {
      if (old instanceof PojoSerializerSnapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return super.resolveSchemaCompatibility(old);
    }
  }

  /** Makes Flink use this serializer wherever a {@link ProbeFix} is serialized. */
  public static final class Info extends TypeInfoFactory<ProbeFix> {
    @Override
    public TypeInformation<ProbeFix> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return new TypeInfo();
    }
  }

  static final class TypeInfo extends TypeInformation<ProbeFix> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    public Class<ProbeFix> getTypeClass() {
      return ProbeFix.class;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<ProbeFix> createSerializer(SerializerConfig config) {
      return INSTANCE;
    }

    @Override
    public String toString() {
      return "ProbeFix";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TypeInfo;
    }

    @Override
    public int hashCode() {
      return ProbeFix.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
      return o instanceof TypeInfo;
    }
  }
}
