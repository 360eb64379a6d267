package io.citybrain.jobs.traffic;

import io.citybrain.jobs.common.KafkaCoordinate;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A decoded traffic reading before it is matched to a segment; loops have no heading.
 *
 * @param origin where the reading's record is in Kafka: the job holds readings in keyed state until
 *     the watermark passes them, and names this in a later dead letter instead of carrying the
 *     record's bytes (issue 19)
 */
@TypeInfo(ProbeFixSerializer.Info.class)
public record ProbeFix(
    String deviceId,
    String kind,
    long ts,
    double lon,
    double lat,
    double speedKmh,
    Double headingDeg,
    double count,
    double intervalS,
    double occupancy,
    KafkaCoordinate origin) {}
