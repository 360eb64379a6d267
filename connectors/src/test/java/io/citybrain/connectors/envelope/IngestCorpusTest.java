package io.citybrain.connectors.envelope;

import static org.assertj.core.api.Assertions.assertThat;

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
      assertThat(r).as(c.name()).isInstanceOfAny(IngestResult.Reading.class, IngestResult.Acknowledgement.class);
    } else {
      assertThat(r).as(c.name()).isInstanceOf(IngestResult.Rejected.class);
      var d = ((IngestResult.Rejected) r).deadLetter();
      assertThat(d.reason()).as(c.name() + ": " + d.detail()).isEqualTo(c.expectedReason());
      assertThat(d.topic()).isEqualTo(c.topic());
      assertThat(d.rawPayload()).isEqualTo(c.payload());
    }
  }

  @Test
  void theCorpusHasAtLeastFiftyKindsOfBadInputEachOnItsOwnTopic() {
    List<IngestCorpus.Case> all = IngestCorpus.all(RECEIVED);
    assertThat(all.stream().filter(c -> !c.accepted()).count()).isGreaterThanOrEqualTo(50);
    assertThat(all.stream().map(IngestCorpus.Case::name).distinct().count()).isEqualTo(all.size());
    assertThat(all.stream().filter(c -> !c.topic().endsWith("/")).map(IngestCorpus.Case::topic).distinct().count())
        .isEqualTo(all.stream().filter(c -> !c.topic().endsWith("/")).count());
  }
}
