package io.citybrain.connectors.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.DeadLetter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IngestCorpusTest {

  /** 2026-01-05T08:00:00Z: when the bridge received the messages. */
  private static final long RECEIVED = 1_767_600_000_000L;

  private final IngestValidator validator = new IngestValidator();

  static Stream<IngestCorpus.Case> corpus() {
    return IngestCorpus.all(RECEIVED).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void eachCaseMeetsItsExpectation(IngestCorpus.Case c) {
    IngestResult r = validator.validate(c.topic(), c.payload(), RECEIVED);
    if (c.accepted()) {
      assertThat(r)
          .as(c.name())
          .isInstanceOfAny(IngestResult.Reading.class, IngestResult.Acknowledgement.class);
    } else {
      assertThat(r).as(c.name()).isInstanceOf(IngestResult.Rejected.class);
      var d = ((IngestResult.Rejected) r).deadLetter();
      assertThat(d.reason()).as(c.name() + ": " + d.detail()).isEqualTo(c.expectedReason());
      assertThat(d.topic()).isEqualTo(c.topic());
      if (c.payload().length > DeadLetter.MAX_CARRIED_BYTES) {
        // Over the bridge's limit: the first bytes, and what matches them to what was sent.
        assertThat(d.rawPayload())
            .isEqualTo(java.util.Arrays.copyOf(c.payload(), DeadLetter.CUT_PAYLOAD_BYTES));
        assertThat(d.detail()).contains("payload " + c.payload().length + " bytes, SHA-256 ");
      } else {
        assertThat(d.rawPayload()).isEqualTo(c.payload());
      }
    }
  }

  /**
   * With {@code bridge.max-reading-age} off (a bridge replaying recorded history) the stale cases
   * become readings or acknowledgements and every other case keeps its outcome: only that rule is
   * off.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void withoutAnAgeLimitOnlyTheStaleCasesChange(IngestCorpus.Case c) {
    IngestValidator replay =
        new IngestValidator(
            io.citybrain.connectors.registry.DeviceRegistry.empty(), IngestValidator.NO_AGE_LIMIT);
    IngestResult r = replay.validate(c.topic(), c.payload(), RECEIVED);
    if (c.accepted() || "stale-timestamp".equals(c.expectedReason())) {
      assertThat(r)
          .as(c.name())
          .isInstanceOfAny(IngestResult.Reading.class, IngestResult.Acknowledgement.class);
    } else {
      assertThat(r).as(c.name()).isInstanceOf(IngestResult.Rejected.class);
      assertThat(((IngestResult.Rejected) r).deadLetter().reason())
          .as(c.name())
          .isEqualTo(c.expectedReason());
    }
  }

  @Test
  void everyTimestampAndIdReasonHasCasesForReadingsAndAcknowledgements() {
    List<IngestCorpus.Case> all = IngestCorpus.all(RECEIVED);
    for (String reason :
        List.of(
            "stale-timestamp",
            "timestamp-before-2000",
            "timestamp-in-seconds",
            "future-timestamp",
            "bad-timestamp")) {
      assertThat(all)
          .as(reason + " for a reading")
          .anyMatch(c -> reason.equals(c.expectedReason()) && !c.topic().startsWith("city/ack/"));
      assertThat(all)
          .as(reason + " for an acknowledgement")
          .anyMatch(c -> reason.equals(c.expectedReason()) && c.topic().startsWith("city/ack/"));
    }
    assertThat(all)
        .as("bad-id")
        .anyMatch(c -> "bad-id".equals(c.expectedReason()) && c.topic().contains("/smoke/"))
        .anyMatch(c -> "bad-id".equals(c.expectedReason()) && c.topic().contains("/ticket/"));
  }

  @Test
  void theCorpusHasAtLeastFiftyKindsOfBadInputEachOnItsOwnTopic() {
    List<IngestCorpus.Case> all = IngestCorpus.all(RECEIVED);
    assertThat(all.stream().filter(c -> !c.accepted()).count()).isGreaterThanOrEqualTo(50);
    assertThat(all.stream().map(IngestCorpus.Case::name).distinct().count()).isEqualTo(all.size());
    assertThat(
            all.stream()
                .filter(c -> !c.topic().endsWith("/"))
                .map(IngestCorpus.Case::topic)
                .distinct()
                .count())
        .isEqualTo(all.stream().filter(c -> !c.topic().endsWith("/")).count());
  }
}
