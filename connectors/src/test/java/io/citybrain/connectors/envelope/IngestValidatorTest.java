package io.citybrain.connectors.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Ack;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IngestValidatorTest {

  /** 2026-01-05T08:00:00Z: when the bridge received the message in these tests. */
  private static final long RECEIVED = 1_767_600_000_000L;

  private static final String LOOP =
      "{\"ts\":1767599990000,\"lat\":30.25,\"lon\":120.15,\"count\":12,\"intervalS\":60,\"speedKmh\":31.5,\"occupancy\":0.2}";

  private static final long MAX_AGE_MS = IngestValidator.DEFAULT_MAX_AGE.toMillis();

  private final IngestValidator validator = new IngestValidator();

  private IngestResult validate(String topic, String payload) {
    return validator.validate(topic, payload.getBytes(StandardCharsets.UTF_8), RECEIVED);
  }

  private DeadLetter rejected(String topic, String payload) {
    IngestResult r = validate(topic, payload);
    assertThat(r).isInstanceOf(IngestResult.Rejected.class);
    return ((IngestResult.Rejected) r).deadLetter();
  }

  @Test
  void aLoopReadingBecomesAnEnvelope() {
    IngestResult r = validate("city/traffic/loop/L-1", LOOP);
    assertThat(r).isInstanceOf(IngestResult.Reading.class);
    Envelope e = ((IngestResult.Reading) r).envelope();
    assertThat(e.deviceId()).isEqualTo("L-1");
    assertThat(e.domain()).isEqualTo("traffic");
    assertThat(e.kind()).isEqualTo("loop");
    assertThat(e.ts()).isEqualTo(1_767_599_990_000L);
    assertThat(e.lat()).isEqualTo(30.25);
    assertThat(e.values()).containsEntry("speedKmh", 31.5).containsEntry("count", 12.0);
    assertThat(e.receivedAt()).isEqualTo(RECEIVED);
    assertThat(e.source()).isEqualTo("mqtt");
  }

  @Test
  void anIsoTimestampWithAnOffsetIsAccepted() {
    IngestResult r =
        validate(
            "city/traffic/probe/P-1",
            "{\"ts\":\"2026-01-05T15:59:50+08:00\",\"lat\":30.25,\"lon\":120.15,\"speedKmh\":20,\"headingDeg\":90,\"extra\":1}");
    assertThat(((IngestResult.Reading) r).envelope().ts()).isEqualTo(1_767_599_990_000L);
  }

  /**
   * One alert's actions stay in order on one partition, whatever form, and so do their dead
   * letters.
   */
  @Test
  void recordsAreKeyedByAlertIdDeviceIdOrTopic() {
    assertThat(IngestValidator.keyOf("city/ack/sos-1/mgr-li")).isEqualTo("sos-1");
    assertThat(IngestValidator.keyOf("city/ack/sos-1")).isEqualTo("sos-1");
    assertThat(IngestValidator.keyOf("city/traffic/loop/L-1")).isEqualTo("L-1");
    assertThat(IngestValidator.keyOf("city/traffic/loop")).isEqualTo("city/traffic/loop");
    assertThat(
            rejected("city/ack/sos-1/mgr-li", "x".repeat(IngestValidator.MAX_PAYLOAD_BYTES + 1))
                .key())
        .as("a too-large named acknowledgement, as its accepted form")
        .isEqualTo("sos-1");
  }

  @Test
  void notJsonIsRefusedWithItsRawBytesKept() {
    DeadLetter d = rejected("city/traffic/loop/L-1", "speed=30");
    assertThat(d.reason()).isEqualTo("not-json");
    assertThat(d.topic()).isEqualTo("city/traffic/loop/L-1");
    assertThat(d.key()).isEqualTo("L-1");
    assertThat(new String(d.rawPayload(), StandardCharsets.UTF_8)).isEqualTo("speed=30");
    assertThat(d.time()).isEqualTo(RECEIVED);
  }

  @Test
  void eachContractViolationHasItsReason() {
    assertThat(rejected("city/weather/rain/W-1", LOOP).reason()).isEqualTo("unknown-kind");
    assertThat(rejected("city/traffic/loop/L-1/extra", LOOP).reason()).isEqualTo("bad-topic");
    assertThat(rejected("city/traffic/loop/L 1", LOOP).reason()).isEqualTo("bad-device-id");
    assertThat(rejected("city/traffic/loop/L-1", "[1,2]").reason()).isEqualTo("not-object");
    assertThat(rejected("city/traffic/loop/L-1", LOOP.replace("\"count\":12,", "")).detail())
        .isEqualTo("missing field 'count'");
    assertThat(
            rejected("city/traffic/loop/L-1", LOOP.replace("\"occupancy\":0.2", "\"occupancy\":3"))
                .reason())
        .isEqualTo("bad-field");
    assertThat(rejected("city/traffic/loop/L-1", LOOP.replace("31.5", "\"fast\"")).reason())
        .isEqualTo("bad-field");
    assertThat(
            rejected("city/traffic/loop/L-1", LOOP.replace("1767599990000", "\"yesterday\""))
                .reason())
        .isEqualTo("bad-timestamp");
    assertThat(
            rejected("city/traffic/loop/L-1", LOOP.replace("1767599990000", "32503680000000"))
                .reason())
        .isEqualTo("future-timestamp");
    assertThat(rejected("city/traffic/loop/L-1", LOOP.replace("30.25", "1e9")).reason())
        .isEqualTo("bad-position");
    assertThat(
            rejected(
                    "city/traffic/probe/P-1",
                    "{\"ts\":1767599990000,\"speedKmh\":20,\"headingDeg\":90}")
                .reason())
        .isEqualTo("missing-position");
    assertThat(rejected("city/traffic/loop/L-1", LOOP.replace("}", ",\"count\":13}")).reason())
        .isEqualTo("not-json");
    assertThat(rejected("city/traffic/loop/L-1", LOOP.replace("31.5", "NaN")).reason())
        .isEqualTo("not-json");
    assertThat(rejected("city/traffic/loop/L-1", LOOP + "garbage").reason()).isEqualTo("not-json");
  }

  @Test
  void truncatedUtf8IsRefused() {
    byte[] bytes = "{\"ts\":1,\"name\":\"杭州\"}".getBytes(StandardCharsets.UTF_8);
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);
    IngestResult r = validator.validate("city/traffic/loop/L-1", truncated, RECEIVED);
    assertThat(((IngestResult.Rejected) r).deadLetter().reason()).isEqualTo("not-utf8");
  }

  @Test
  void aPayloadOverTheLimitIsRefusedWithoutParsing() {
    byte[] big = new byte[IngestValidator.MAX_PAYLOAD_BYTES + 1];
    IngestResult r = validator.validate("city/traffic/loop/L-1", big, RECEIVED);
    assertThat(((IngestResult.Rejected) r).deadLetter().reason()).isEqualTo("too-large");
  }

  @Test
  void anAcknowledgementGoesToTheAcksTopic() {
    IngestResult r = validate("city/ack/sos-x-1", "{\"by\":\"manager-7\",\"ts\":1767599990000}");
    assertThat(r)
        .isEqualTo(
            new IngestResult.Acknowledgement(new Ack("sos-x-1", "manager-7", 1_767_599_990_000L)));
  }

  private String loopAt(String ts) {
    return LOOP.replace("1767599990000", ts);
  }

  @Test
  void eachTimestampRuleHasItsReasonForReadings() {
    // Right at the bounds: usable.
    assertThat(validate("city/traffic/loop/L-1", loopAt(Long.toString(RECEIVED - MAX_AGE_MS))))
        .isInstanceOf(IngestResult.Reading.class);
    assertThat(
            validate(
                "city/traffic/loop/L-1",
                loopAt(Long.toString(RECEIVED + IngestValidator.MAX_CLOCK_SKEW_MS))))
        .isInstanceOf(IngestResult.Reading.class);
    assertThat(
            rejected("city/traffic/loop/L-1", loopAt(Long.toString(RECEIVED - MAX_AGE_MS - 1)))
                .reason())
        .isEqualTo("stale-timestamp");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("\"2025-12-06T08:00:00Z\"")).reason())
        .isEqualTo("stale-timestamp");
    assertThat(
            rejected(
                    "city/traffic/loop/L-1",
                    loopAt(Long.toString(RECEIVED + IngestValidator.MAX_CLOCK_SKEW_MS + 1)))
                .reason())
        .isEqualTo("future-timestamp");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("1767599990")).reason())
        .isEqualTo("timestamp-in-seconds");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("946684800")).reason())
        .isEqualTo("timestamp-in-seconds");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("-2208988800000")).reason())
        .isEqualTo("timestamp-before-2000");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("\"1900-01-01T00:00:00Z\"")).reason())
        .isEqualTo("timestamp-before-2000");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("946684799999")).reason())
        .isEqualTo("timestamp-before-2000");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("0")).reason())
        .isEqualTo("timestamp-before-2000");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("9223372036854775808")).reason())
        .isEqualTo("bad-timestamp");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("1767599990000.5")).reason())
        .isEqualTo("bad-timestamp");
    assertThat(rejected("city/traffic/loop/L-1", loopAt("\"+999999999-01-01T00:00:00Z\"")).reason())
        .isEqualTo("bad-timestamp");
    assertThat(
            rejected("city/traffic/loop/L-1", LOOP.replace("\"ts\":1767599990000,", "")).reason())
        .isEqualTo("missing-field");
  }

  @Test
  void theAgeLimitIsTheValidatorsOwnAndOnlyThatRuleCanBeTurnedOff() {
    byte[] hourOld = loopAt(Long.toString(RECEIVED - 3_600_000L)).getBytes(StandardCharsets.UTF_8);
    IngestValidator halfHour =
        new IngestValidator(
            io.citybrain.connectors.registry.DeviceRegistry.empty(),
            java.time.Duration.ofMinutes(30));
    assertThat(halfHour.maxAge()).isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(
            ((IngestResult.Rejected) halfHour.validate("city/traffic/loop/L-1", hourOld, RECEIVED))
                .deadLetter()
                .reason())
        .isEqualTo("stale-timestamp");
    assertThat(validator.validate("city/traffic/loop/L-1", hourOld, RECEIVED))
        .isInstanceOf(IngestResult.Reading.class);
    assertThat(validator.maxAge()).isEqualTo(IngestValidator.DEFAULT_MAX_AGE);

    // Off: a recording of 2026-01-05 replayed eleven months later is still readings and acks ...
    IngestValidator replay =
        new IngestValidator(
            io.citybrain.connectors.registry.DeviceRegistry.empty(), IngestValidator.NO_AGE_LIMIT);
    long later = RECEIVED + 334L * 86_400_000L;
    assertThat(
            replay.validate("city/traffic/loop/L-1", LOOP.getBytes(StandardCharsets.UTF_8), later))
        .isInstanceOf(IngestResult.Reading.class);
    assertThat(
            replay.validate(
                "city/ack/sos-x-1",
                "{\"by\":\"m-7\",\"ts\":1767599990000}".getBytes(StandardCharsets.UTF_8),
                later))
        .isInstanceOf(IngestResult.Acknowledgement.class);
    // ... and every other timestamp rule still holds.
    java.util.Map<String, String> always =
        java.util.Map.of(
            "1767599990",
            "timestamp-in-seconds",
            "\"1900-01-01T00:00:00Z\"",
            "timestamp-before-2000",
            "0",
            "timestamp-before-2000",
            Long.toString(later + IngestValidator.MAX_CLOCK_SKEW_MS + 1),
            "future-timestamp",
            "9223372036854775808",
            "bad-timestamp",
            "\"+999999999-01-01T00:00:00Z\"",
            "bad-timestamp");
    always.forEach(
        (ts, reason) -> {
          IngestResult r =
              replay.validate(
                  "city/traffic/loop/L-1", loopAt(ts).getBytes(StandardCharsets.UTF_8), later);
          assertThat(r).as(ts).isInstanceOf(IngestResult.Rejected.class);
          assertThat(((IngestResult.Rejected) r).deadLetter().reason()).as(ts).isEqualTo(reason);
        });
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new IngestValidator(
                    io.citybrain.connectors.registry.DeviceRegistry.empty(),
                    java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void acknowledgementsObeyTheSameTimestampRules() {
    String ack = "{\"by\":\"manager-7\",\"ts\":%s}";
    assertThat(rejected("city/ack/sos-x-1", ack.formatted(RECEIVED + 3_600_001L)).reason())
        .isEqualTo("future-timestamp");
    assertThat(rejected("city/ack/sos-x-1", ack.formatted(RECEIVED - MAX_AGE_MS - 1)).reason())
        .isEqualTo("stale-timestamp");
    assertThat(rejected("city/ack/sos-x-1", ack.formatted("1767599990")).reason())
        .isEqualTo("timestamp-in-seconds");
    assertThat(rejected("city/ack/sos-x-1", ack.formatted("\"1900-01-01T00:00:00Z\"")).reason())
        .isEqualTo("timestamp-before-2000");
    assertThat(rejected("city/ack/sos-x-1", ack.formatted("99999999999999999999")).reason())
        .isEqualTo("bad-timestamp");
    // Without a ts the bridge's clock is the time of the acknowledgement.
    assertThat(validate("city/ack/sos-x-1", "{\"by\":\"manager-7\"}"))
        .isEqualTo(new IngestResult.Acknowledgement(new Ack("sos-x-1", "manager-7", RECEIVED)));
  }

  @Test
  void anAcknowledgementUnderAUserNameIsThatUsers() {
    // The broker lets only mgr-a publish under mgr-a: the payload's claim is not read.
    assertThat(
            validate(
                "city/ack/sos-x-1/mgr-a",
                "{\"by\":\"someone-else\",\"note\":\"on my way\",\"ts\":1767599990000}"))
        .isEqualTo(
            new IngestResult.Acknowledgement(
                new Ack("sos-x-1", "mgr-a", 1_767_599_990_000L, null, null, "on my way")));
    assertThat(validate("city/ack/sos-x-1/mgr-a", "{}"))
        .isEqualTo(new IngestResult.Acknowledgement(new Ack("sos-x-1", "mgr-a", RECEIVED)));
    assertThat(rejected("city/ack/sos-x-1/mgr a", "{}").reason()).isEqualTo("bad-topic");
    assertThat(
            rejected("city/ack/sos-x-1/mgr-a", "{\"note\":\"" + "字".repeat(257) + "\"}").reason())
        .isEqualTo("bad-field");
  }

  @Test
  void aPersonResolvesWithAReasonAssignsAndComments() {
    assertThat(
            validate("city/ack/sos-x-1/mgr-a", "{\"action\":\"resolve\",\"note\":\"false alarm\"}"))
        .isEqualTo(
            new IngestResult.Acknowledgement(
                new Ack("sos-x-1", "mgr-a", RECEIVED, null, null, "false alarm", "resolve", null)));
    assertThat(validate("city/ack/sos-x-1/ops", "{\"action\":\"assign\",\"assignee\":\"mgr-li\"}"))
        .isEqualTo(
            new IngestResult.Acknowledgement(
                new Ack("sos-x-1", "ops", RECEIVED, null, null, null, "assign", "mgr-li")));
    assertThat(validate("city/ack/sos-x-1/mgr-a", "{\"action\":\"acknowledge\"}"))
        .as("acknowledge is contract v1's meaning: stored without an action")
        .isEqualTo(new IngestResult.Acknowledgement(new Ack("sos-x-1", "mgr-a", RECEIVED)));
    assertThat(rejected("city/ack/sos-x-1/mgr-a", "{\"action\":\"resolve\"}").detail())
        .contains("needs its text in 'note'");
    assertThat(
            rejected("city/ack/sos-x-1/mgr-a", "{\"action\":\"comment\",\"note\":\" \"}").reason())
        .isEqualTo("missing-field");
    assertThat(
            rejected("city/ack/sos-x-1/mgr-a", "{\"action\":\"assign\",\"assignee\":\"a b\"}")
                .reason())
        .isEqualTo("missing-field");
    assertThat(rejected("city/ack/sos-x-1/mgr-a", "{\"action\":\"delete\"}").reason())
        .isEqualTo("bad-field");
  }

  /**
   * The bridge follows the users file as it is edited: a manager removed no longer acknowledges,
   * without a restart.
   */
  @Test
  void aManagerRemovedFromTheUsersFileNoLongerAcknowledges(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String hash = io.citybrain.users.UsersFile.hash("pw".toCharArray(), 1);
    java.nio.file.Path file =
        java.nio.file.Files.writeString(
            dir.resolve("users.csv"), "mgr-a,manager,c-A," + hash + "\n");
    IngestValidator bridge =
        new IngestValidator(
            io.citybrain.connectors.registry.DeviceRegistry.empty(),
            IngestValidator.DEFAULT_MAX_AGE,
            io.citybrain.users.UsersFileWatch.start(
                file, java.time.Duration.ofSeconds(10), s -> {}, RECEIVED));
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    assertThat(bridge.validate("city/ack/sos-x-1/mgr-a", body, RECEIVED))
        .isInstanceOf(IngestResult.Acknowledgement.class);
    java.nio.file.Files.writeString(file, "ops,operator,," + hash + "\n");
    assertThat(bridge.validate("city/ack/sos-x-1/mgr-a", body, RECEIVED + 10_000))
        .isInstanceOf(IngestResult.Rejected.class);
    assertThat(bridge.validate("city/ack/sos-x-1/ops", body, RECEIVED + 10_000))
        .isInstanceOf(IngestResult.Acknowledgement.class);
  }

  @Test
  void withAUsersFileOnlyAPersonOfTheFileAcknowledgesAndCarriesTheirScope() {
    String hash = io.citybrain.users.UsersFile.hash("pw".toCharArray(), 1);
    IngestValidator city =
        new IngestValidator(
            io.citybrain.connectors.registry.DeviceRegistry.empty(),
            IngestValidator.DEFAULT_MAX_AGE,
            io.citybrain.users.UsersFile.parse(
                java.util.List.of(
                    "mgr-a,manager,c-A," + hash,
                    "officer-1,officer,330106," + hash,
                    "ops,operator,," + hash,
                    "loop-7,device,," + hash),
                "users.csv"));
    java.util.function.Function<String, IngestResult> ack =
        topic -> city.validate(topic, "{}".getBytes(StandardCharsets.UTF_8), RECEIVED);
    assertThat(ack.apply("city/ack/sos-x-1/mgr-a"))
        .isEqualTo(
            new IngestResult.Acknowledgement(
                new Ack("sos-x-1", "mgr-a", RECEIVED, "manager", "c-A", null)));
    assertThat(ack.apply("city/ack/sos-x-1/officer-1"))
        .isEqualTo(
            new IngestResult.Acknowledgement(
                new Ack("sos-x-1", "officer-1", RECEIVED, "officer", "330106", null)));
    assertThat(ack.apply("city/ack/sos-x-1/ops"))
        .isEqualTo(
            new IngestResult.Acknowledgement(
                new Ack("sos-x-1", "ops", RECEIVED, "operator", null, null)));
    for (String refused : java.util.List.of("city/ack/sos-x-1/loop-7", "city/ack/sos-x-1/nobody")) {
      DeadLetter d = ((IngestResult.Rejected) ack.apply(refused)).deadLetter();
      assertThat(d.reason()).as(refused).isEqualTo("ack-refused");
      assertThat(d.detail()).contains("is not an operator, officer or manager of the users file");
    }
    // Contract v1's topic names nobody the broker checked: in a city with accounts it is not taken.
    IngestResult v1 =
        city.validate(
            "city/ack/sos-x-1", "{\"by\":\"mgr-a\"}".getBytes(StandardCharsets.UTF_8), RECEIVED);
    assertThat(((IngestResult.Rejected) v1).deadLetter().detail())
        .contains("city/ack/<alertId>/<username>");
  }

  @Test
  void buildingAndTicketIdsAreIdsNotText() {
    String smoke =
        "{\"ts\":1767599990000,\"lat\":30.2,\"lon\":120.1,\"alarm\":true,\"buildingId\":%s}";
    assertThat(validate("city/emergency/smoke/S-1", smoke.formatted("\"b-0101-07\"")))
        .isInstanceOf(IngestResult.Reading.class);
    assertThat(validate("city/emergency/smoke/S-1", smoke.formatted("\"way:123.4_x-Y\"")))
        .isInstanceOf(IngestResult.Reading.class);
    for (String bad :
        java.util.List.of(
            "\"<b>\"",
            "\"B 1\"",
            "\"B\\n1\"",
            "\"B\\u0000\"",
            "\"B,1\"",
            "\"B=1\"",
            "\"B\\\"1\"",
            "\"\"",
            "\"" + "b".repeat(65) + "\"",
            "\"楼1\"")) {
      DeadLetter d = rejected("city/emergency/smoke/S-1", smoke.formatted(bad));
      assertThat(d.reason()).as(bad).isEqualTo("bad-id");
      assertThat(d.detail()).isEqualTo("field 'buildingId' must match [A-Za-z0-9._:-]{1,64}");
    }
    DeadLetter t =
        rejected(
            "city/community/ticket/H-1",
            "{\"ts\":1767599990000,\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T-1\\r\\n\",\"category\":\"road\",\"status\":\"opened\"}");
    assertThat(t.reason()).isEqualTo("bad-id");
  }

  @Test
  void ourOwnAlertsAreNotInput() {
    assertThat(validate("city/alerts/district/330106", "{}"))
        .isInstanceOf(IngestResult.Reserved.class);
  }

  private static final String LOOP_NO_POSITION =
      "{\"ts\":1767599990000,\"count\":12,\"intervalS\":60,\"speedKmh\":31.5,\"occupancy\":0.2}";
  private final IngestValidator withRegistry =
      new IngestValidator(
          io.citybrain.connectors.registry.DeviceRegistry.of(
              java.util.List.of(
                  new io.citybrain.connectors.registry.RegisteredDevice(
                      "L-7", "traffic", "loop", 30.27, 120.13, "330106", "S-1", null, null, null),
                  new io.citybrain.connectors.registry.RegisteredDevice(
                      "P-7", "traffic", "probe", 30.27, 120.13, "330106", null, null, null,
                      null))));

  @Test
  void aRegisteredFixedDeviceWithoutAPositionIsPlacedFromTheRegistry() {
    IngestResult r =
        withRegistry.validate(
            "city/traffic/loop/L-7", LOOP_NO_POSITION.getBytes(StandardCharsets.UTF_8), RECEIVED);
    assertThat(r).isInstanceOf(IngestResult.Reading.class);
    Envelope e = ((IngestResult.Reading) r).envelope();
    assertThat(e.lat()).isEqualTo(30.27);
    assertThat(e.lon()).isEqualTo(120.13);
  }

  @Test
  void theRegistryWinsOverAPositionAFixedDeviceSends() {
    IngestResult r =
        withRegistry.validate(
            "city/traffic/loop/L-7", LOOP.getBytes(StandardCharsets.UTF_8), RECEIVED);
    assertThat(((IngestResult.Reading) r).envelope().lat()).isEqualTo(30.27);
    assertThat(((IngestResult.Reading) r).envelope().lon()).isEqualTo(120.13);
    // A moving device's position is its own.
    IngestResult probe =
        withRegistry.validate(
            "city/traffic/probe/P-7",
            "{\"ts\":1767599990000,\"lat\":30.25,\"lon\":120.15,\"speedKmh\":30,\"headingDeg\":90}"
                .getBytes(StandardCharsets.UTF_8),
            RECEIVED);
    assertThat(((IngestResult.Reading) probe).envelope().lat()).isEqualTo(30.25);
  }

  @Test
  void aRegisteredSmokeDetectorReportsItsOwnBuildingWhateverItNames() {
    IngestValidator v =
        new IngestValidator(
            io.citybrain.connectors.registry.DeviceRegistry.of(
                java.util.List.of(
                    new io.citybrain.connectors.registry.RegisteredDevice(
                        "S-1",
                        "emergency",
                        "smoke",
                        30.27,
                        120.13,
                        "330106",
                        null,
                        "b-1",
                        null,
                        "c-1"))));
    IngestResult r =
        v.validate(
            "city/emergency/smoke/S-1",
            "{\"ts\":1767599990000,\"lat\":30.20,\"lon\":120.10,\"alarm\":true,\"buildingId\":\"b-elsewhere\"}"
                .getBytes(StandardCharsets.UTF_8),
            RECEIVED);
    Envelope e = ((IngestResult.Reading) r).envelope();
    assertThat(e.values()).containsEntry("buildingId", "b-1");
    assertThat(e.lat()).isEqualTo(30.27);
  }

  @Test
  void aRegisteredDeviceSpeakingAsAnotherKindIsDeadLetteredWrongKind() {
    for (String payload :
        java.util.List.of(
            "{\"ts\":1767599990000,\"pressed\":true}",
            "{\"ts\":1767599990000,\"lat\":30.27,\"lon\":120.13,\"pressed\":true}")) {
      IngestResult r =
          withRegistry.validate(
              "city/emergency/sos/L-7", payload.getBytes(StandardCharsets.UTF_8), RECEIVED);
      DeadLetter d = ((IngestResult.Rejected) r).deadLetter();
      assertThat(d.reason()).isEqualTo("wrong-kind");
      assertThat(d.detail()).contains("registered as traffic/loop, not emergency/sos");
    }
  }

  @Test
  void anUnknownDeviceWithoutAPositionIsStillDeadLettered() {
    IngestResult r =
        withRegistry.validate(
            "city/traffic/loop/L-8", LOOP_NO_POSITION.getBytes(StandardCharsets.UTF_8), RECEIVED);
    assertThat(((IngestResult.Rejected) r).deadLetter().reason()).isEqualTo("missing-position");
    // A moving device is never placed from the registry: where it was registered is not where it
    // is.
    IngestResult probe =
        withRegistry.validate(
            "city/traffic/probe/P-7",
            "{\"ts\":1767599990000,\"speedKmh\":30,\"headingDeg\":90}"
                .getBytes(StandardCharsets.UTF_8),
            RECEIVED);
    assertThat(probe).isInstanceOf(IngestResult.Rejected.class);
  }
}
