package io.citybrain.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A dead letter stays small whatever was refused: the dead-letter topic takes 1 MB, and a dead
 * letter it refuses fails the part that wrote it, again on every retry.
 */
class DeadLetterTest {

  @Test
  void aRecordUpToTheBridgesLimitIsCarriedWhole() {
    byte[] raw = new byte[DeadLetter.MAX_CARRIED_BYTES];
    Arrays.fill(raw, (byte) 'x');
    DeadLetter d = DeadLetter.of(Reason.NOT_JSON, "not JSON", "t", "k", raw, 1L, "traffic");
    assertThat(d.rawPayload()).isEqualTo(raw);
    assertThat(d.detail()).isEqualTo("not JSON");
  }

  @Test
  void aLargerRecordIsCutWithItsLengthAndDigestInTheDetail() {
    byte[] raw = new byte[1024 * 1024];
    Arrays.fill(raw, (byte) 'y');
    DeadLetter d =
        DeadLetter.of(
            Reason.BAD_ENVELOPE, "not an envelope", "city.raw.traffic", "k", raw, 1L, "x");
    assertThat(d.rawPayload()).hasSize(DeadLetter.CUT_PAYLOAD_BYTES);
    assertThat(d.detail())
        .startsWith("not an envelope; payload 1048576 bytes, SHA-256 ")
        .endsWith(", cut to its first 1024 bytes");
    assertThat(d.toJson().length).isLessThan(4 * 1024);
    assertThat(DeadLetter.fromJson(d.toJson())).isEqualTo(d);
  }

  @Test
  void aDetailOrKeyQuotingAHostileValueIsCutWithoutSplittingACharacter() {
    String value = "\uD83D\uDE00".repeat(100_000); // an emoji, two chars each
    DeadLetter d =
        DeadLetter.of(
            Reason.MISSING_FIELD,
            "x" + value,
            "city.raw.emergency",
            value,
            "{}".getBytes(StandardCharsets.UTF_8),
            1L,
            "emergency");
    assertThat(d.detail()).hasSizeLessThan(DeadLetter.MAX_DETAIL_CHARS + 40);
    assertThat(d.detail()).endsWith(" more characters)");
    assertThat(d.key()).hasSizeLessThan(DeadLetter.MAX_KEY_CHARS + 40);
    // Cut between two characters: what remains is still valid UTF-16, so valid JSON.
    for (String cut : new String[] {d.detail(), d.key()}) {
      String kept = cut.substring(0, cut.indexOf("..."));
      assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
    }
    assertThat(d.toJson().length).isLessThan(8 * 1024);
  }
}
