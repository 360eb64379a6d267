package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * What the emergency job keeps in state or sends between operators: no Kryo, and the store lines.
 */
class EmergencyRecordsTest {

  @Test
  void stateAndRecordsAreSerializedWithoutKryo() {
    for (Class<?> c :
        new Class<?>[] {
          Incident.class,
          TicketTally.class,
          TicketEvent.class,
          Signal.class,
          EmergencyArea.class,
          CommunityTickets.class
        }) {
      assertThat(TypeInformation.of(c))
          .as(c.getSimpleName())
          .isNotInstanceOf(GenericTypeInfo.class);
    }
  }

  @Test
  void incidentAndTicketTallySurviveASerializerRoundTrip() throws Exception {
    Incident inc = new Incident();
    inc.key = "flood|G-1";
    inc.alertId = "flood-1-G-1";
    inc.state = "resolved";
    inc.detectors = new String[] {"S-1"};
    inc.detectorTs = new long[] {7};
    inc.forgetAt = 42;
    inc.fireStation = "西湖消防站";
    inc.fireStationM = 850.0;
    Incident back = roundTrip(Incident.class, inc);
    assertThat(back).usingRecursiveComparison().isEqualTo(inc);

    TicketTally t =
        new TicketTally()
            .plus(new TicketEvent("330106", null, "T-1", TicketEvent.OPENED, 0, 0))
            .plus(new TicketEvent("330106", null, "T-0", TicketEvent.RESOLVED, 0, 90_000));
    assertThat(roundTrip(TicketTally.class, t)).usingRecursiveComparison().isEqualTo(t);
  }

  private static <T> T roundTrip(Class<T> type, T value) throws Exception {
    TypeSerializer<T> s = TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    s.serialize(value, out);
    return s.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
  }

  @Test
  void aCommunityTicketsRowIsOneLineWithEveryFieldAndNoMeanWhenNothingWasResolved() {
    assertThat(
            EmergencyJob.toPoint(
                    new CommunityTickets("330106", "c-330106-0007", 120_000, 3, 2, 4, 45.5, 1, 0))
                .toLineProtocol())
        .isEqualTo(
            "community_tickets,community=c-330106-0007,district=330106 mean_handling_s=45.5,open_tickets=4i,"
                + "red_cards=0i,tickets_opened=3i,tickets_resolved=2i,yellow_cards=1i 120000");
    assertThat(
            EmergencyJob.toPoint(new CommunityTickets("330106", null, 60_000, 1, 0, 1, null, 0, 0))
                .toLineProtocol())
        .isEqualTo(
            "community_tickets,district=330106 open_tickets=1i,red_cards=0i,tickets_opened=1i,tickets_resolved=0i,"
                + "yellow_cards=0i 60000");
  }
}
