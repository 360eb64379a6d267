package io.citybrain.connectors.envelope;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bad input of many kinds and the reason code each must be dead-lettered with, plus valid edge
 * cases that must go through. Each case has its own topic (device id {@code c<n>}), so that a dead
 * letter read back from Kafka can be matched to its case. Timestamps are relative to {@code now},
 * the receiving clock: the unit test passes a named instant, the integration test the wall clock.
 */
public final class IngestCorpus {

  /** One message and what must become of it: a reason code, or null when it must be accepted. */
  public record Case(String name, String topic, byte[] payload, String expectedReason) {
    public boolean accepted() {
      return expectedReason == null;
    }

    @Override
    public String toString() {
      return name + " on " + topic;
    }
  }

  private final long now;
  private final List<Case> cases = new ArrayList<>();

  private IngestCorpus(long now) {
    this.now = now;
  }

  /** All cases, with observation times set relative to {@code now} (epoch ms). */
  public static List<Case> all(long now) {
    IngestCorpus c = new IngestCorpus(now);
    c.build();
    return List.copyOf(c.cases);
  }

  private String loop(String tsJson) {
    return "{\"ts\":"
        + tsJson
        + ",\"lat\":30.25,\"lon\":120.15,\"count\":12,\"intervalS\":60,\"speedKmh\":31.5,\"occupancy\":0.2}";
  }

  private String loop() {
    return loop(String.valueOf(now - 10_000));
  }

  private String topic(String domainKind) {
    return "city/" + domainKind + "/c" + cases.size();
  }

  private void bad(String name, String reason, String domainKind, String payload) {
    bad(name, reason, domainKind, payload.getBytes(StandardCharsets.UTF_8));
  }

  private void bad(String name, String reason, String domainKind, byte[] payload) {
    cases.add(new Case(name, topic(domainKind), payload, reason));
  }

  private void badTopic(String name, String reason, String topic, String payload) {
    cases.add(new Case(name, topic, payload.getBytes(StandardCharsets.UTF_8), reason));
  }

  private void good(String name, String domainKind, String payload) {
    cases.add(new Case(name, topic(domainKind), payload.getBytes(StandardCharsets.UTF_8), null));
  }

  private void build() {
    String ts = String.valueOf(now - 10_000);
    String inTenMinutes = String.valueOf(now + 10 * 60_000);
    // --- not a usable JSON object
    bad("not JSON", "not-json", "traffic/loop", "speed=30");
    bad("empty payload", "not-object", "traffic/loop", "");
    bad("only whitespace", "not-object", "traffic/loop", "   \n ");
    byte[] chinese =
        ("{\"ts\":" + ts + ",\"lat\":30.25,\"lon\":120.15,\"depthCm\":3,\"note\":\"杭州\"}")
            .getBytes(StandardCharsets.UTF_8);
    bad(
        "UTF-8 truncated inside a character",
        "not-utf8",
        "emergency/flood",
        Arrays.copyOf(chinese, chinese.length - 4));
    bad("a 0xFF byte", "not-utf8", "traffic/loop", new byte[] {'{', (byte) 0xFF, '}'});
    bad(
        "Latin-1 encoded text",
        "not-utf8",
        "traffic/loop",
        "{\"ts\":1,\"note\":\"café\"}".getBytes(StandardCharsets.ISO_8859_1));
    bad(
        "UTF-16 encoded JSON",
        "not-json",
        "traffic/loop",
        loop().getBytes(StandardCharsets.UTF_16LE));
    bad("a 10 MB payload", "too-large", "traffic/loop", new byte[10 * 1024 * 1024]);
    bad("one byte over 64 KiB", "too-large", "traffic/loop", pad(loop(), 64 * 1024 + 1));
    bad("NaN", "not-json", "traffic/loop", loop().replace("31.5", "NaN"));
    bad("Infinity", "not-json", "traffic/loop", loop().replace("31.5", "Infinity"));
    bad(
        "-Infinity",
        "not-json",
        "utility/power",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"kW\":-Infinity,\"voltageV\":230}");
    bad("duplicate keys", "not-json", "traffic/loop", loop().replace("}", ",\"count\":13}"));
    bad("duplicate ts", "not-json", "traffic/loop", loop().replace("{", "{\"ts\":1,"));
    bad("nested 1000 deep", "not-json", "traffic/loop", "[".repeat(1000) + "]".repeat(1000));
    bad(
        "object nested 40 deep",
        "not-json",
        "traffic/loop",
        "{\"a\":".repeat(40) + "1" + "}".repeat(40));
    bad(
        "raw control character in a string",
        "not-json",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T\u0001\",\"category\":\"road\",\"status\":\"opened\"}");
    bad(
        "NUL byte in the payload",
        "not-json",
        "traffic/loop",
        loop().replace(",\"lat\"", "\u0000,\"lat\""));
    bad("two objects", "not-json", "traffic/loop", loop() + loop());
    bad("trailing garbage", "not-json", "traffic/loop", loop() + "garbage");
    bad("single quotes", "not-json", "traffic/loop", loop().replace('"', '\''));
    bad("a comment", "not-json", "traffic/loop", "/* hi */" + loop());
    bad("truncated JSON", "not-json", "traffic/loop", loop().substring(0, 40));
    bad("unquoted keys", "not-json", "traffic/loop", "{ts:" + ts + "}");
    bad("JSON array", "not-object", "traffic/loop", "[1,2]");
    bad("JSON string", "not-object", "traffic/loop", "\"hello\"");
    bad("JSON number", "not-object", "traffic/loop", "42");
    bad("JSON null", "not-object", "traffic/loop", "null");
    // --- topic
    badTopic(
        "topic with extra levels",
        "bad-topic",
        "city/traffic/loop/c" + cases.size() + "/extra",
        loop());
    badTopic("topic with too few levels", "bad-topic", "city/traffic/c" + cases.size(), loop());
    badTopic("empty device id", "bad-device-id", "city/traffic/loop/", loop());
    badTopic("space in device id", "bad-device-id", "city/traffic/loop/c " + cases.size(), loop());
    badTopic("@ in device id", "bad-device-id", "city/traffic/loop/c@" + cases.size(), loop());
    badTopic(
        "device id of 65 characters",
        "bad-device-id",
        "city/traffic/loop/" + "d".repeat(65),
        loop());
    badTopic("non-ASCII device id", "bad-device-id", "city/traffic/loop/探头" + cases.size(), loop());
    bad("unknown domain", "unknown-kind", "weather/rain", loop());
    bad("unknown kind", "unknown-kind", "traffic/drone", loop());
    bad("kind in upper case", "unknown-kind", "traffic/LOOP", loop());
    bad("empty kind", "unknown-kind", "traffic/", loop());
    // --- timestamp
    bad("missing ts", "missing-field", "traffic/loop", loop().replace("\"ts\":" + ts + ",", ""));
    bad("ts as words", "bad-timestamp", "traffic/loop", loop("\"yesterday\""));
    bad("ISO ts without offset", "bad-timestamp", "traffic/loop", loop("\"2026-01-05T08:00:00\""));
    bad("date only", "bad-timestamp", "traffic/loop", loop("\"2026-01-05\""));
    bad("ts negative", "timestamp-before-2000", "traffic/loop", loop("-5"));
    bad("ts zero", "timestamp-before-2000", "traffic/loop", loop("0"));
    bad("ts in 1900", "timestamp-before-2000", "traffic/loop", loop("-2208988800000"));
    bad(
        "ISO ts in 1900",
        "timestamp-before-2000",
        "traffic/loop",
        loop("\"1900-01-01T00:00:00Z\""));
    bad("ts in seconds", "timestamp-in-seconds", "traffic/loop", loop(String.valueOf(now / 1000)));
    bad(
        "ts three hours old",
        "stale-timestamp",
        "traffic/loop",
        loop(String.valueOf(now - 3 * 3_600_000L)));
    bad(
        "SOS pressed 30 days ago",
        "stale-timestamp",
        "emergency/sos",
        "{\"ts\":" + (now - 30L * 86_400_000L) + ",\"lat\":30.2,\"lon\":120.1,\"pressed\":true}");
    bad(
        "ISO ts beyond a long's milliseconds",
        "bad-timestamp",
        "traffic/loop",
        loop("\"+999999999-01-01T00:00:00Z\""));
    bad("ts fractional", "bad-timestamp", "traffic/loop", loop(ts + ".5"));
    bad("ts boolean", "bad-timestamp", "traffic/loop", loop("true"));
    bad("ts null", "bad-timestamp", "traffic/loop", loop("null"));
    bad("ts beyond a long", "bad-timestamp", "traffic/loop", loop("99999999999999999999999"));
    bad("ts beyond a double (1e999999999)", "bad-timestamp", "traffic/loop", loop("1e999999999"));
    bad(
        "ts a whole number beyond a long, with a fraction",
        "bad-timestamp",
        "traffic/loop",
        loop("9.3e18"));
    bad("ts in the year 3000", "future-timestamp", "traffic/loop", loop("32503680000000"));
    bad(
        "ISO ts in the year 3000",
        "future-timestamp",
        "traffic/loop",
        loop("\"3000-01-01T00:00:00+08:00\""));
    bad("ts ten minutes ahead", "future-timestamp", "traffic/loop", loop(inTenMinutes));
    // --- position
    bad("lat 1e9", "bad-position", "traffic/loop", loop().replace("30.25", "1e9"));
    bad("lon 181", "bad-position", "traffic/loop", loop().replace("120.15", "181"));
    bad("lat as a string", "bad-position", "traffic/loop", loop().replace("30.25", "\"30.25\""));
    bad("lat without lon", "bad-position", "traffic/loop", loop().replace(",\"lon\":120.15", ""));
    bad("lat null", "bad-position", "traffic/loop", loop().replace("30.25", "null"));
    bad("position as arrays", "bad-position", "traffic/loop", loop().replace("30.25", "[30.25]"));
    bad(
        "unknown fixed device without a position",
        "missing-position",
        "traffic/loop",
        loop().replace(",\"lat\":30.25,\"lon\":120.15", ""));
    bad(
        "probe without a position",
        "missing-position",
        "traffic/probe",
        "{\"ts\":" + ts + ",\"speedKmh\":20,\"headingDeg\":90}");
    // --- fields
    bad("speed as a word", "bad-field", "traffic/loop", loop().replace("31.5", "\"fast\""));
    bad(
        "count as a boolean",
        "bad-field",
        "traffic/loop",
        loop().replace("\"count\":12", "\"count\":true"));
    bad(
        "occupancy over 1",
        "bad-field",
        "traffic/loop",
        loop().replace("\"occupancy\":0.2", "\"occupancy\":1.5"));
    bad("negative speed", "bad-field", "traffic/loop", loop().replace("31.5", "-1"));
    bad("speed as an object", "bad-field", "traffic/loop", loop().replace("31.5", "{\"v\":31.5}"));
    bad("missing count", "missing-field", "traffic/loop", loop().replace("\"count\":12,", ""));
    bad("speed null", "missing-field", "traffic/loop", loop().replace("31.5", "null"));
    bad(
        "alarm as a string",
        "bad-field",
        "emergency/smoke",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"alarm\":\"yes\"}");
    bad(
        "pressed as a number",
        "bad-field",
        "emergency/sos",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"pressed\":1}");
    bad(
        "negative flood depth",
        "bad-field",
        "emergency/flood",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"depthCm\":-3}");
    bad(
        "methane over a million ppm",
        "bad-field",
        "utility/gas",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"pressureKPa\":200,\"ppm\":2e6}");
    bad(
        "ticket status unknown",
        "bad-field",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T1\",\"category\":\"road\",\"status\":\"closed\"}");
    bad(
        "ticket category of 300 characters",
        "bad-field",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T1\",\"category\":\""
            + "x".repeat(300)
            + "\",\"status\":\"opened\"}");
    bad(
        "ticket without its id",
        "missing-field",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"category\":\"road\",\"status\":\"opened\"}");
    // --- ids in the payload
    bad(
        "escaped control character in a ticket id",
        "bad-id",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T\\u0001\",\"category\":\"road\",\"status\":\"assigned\"}");
    bad(
        "newline in a ticket id",
        "bad-id",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T-1\\nX\",\"category\":\"road\",\"status\":\"opened\"}");
    bad(
        "markup in a building id",
        "bad-id",
        "emergency/smoke",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"alarm\":true,\"buildingId\":\"<img src=x onerror=alert(1)>\"}");
    bad(
        "newline in a building id",
        "bad-id",
        "emergency/smoke",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"alarm\":true,\"buildingId\":\"B-1\\nweather,x=1 y=2\"}");
    bad(
        "space and comma in a building id",
        "bad-id",
        "emergency/smoke",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"alarm\":true,\"buildingId\":\"B 1,x\"}");
    bad(
        "empty building id",
        "bad-id",
        "emergency/smoke",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"alarm\":true,\"buildingId\":\"\"}");
    bad(
        "65-character ticket id",
        "bad-id",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\""
            + "T".repeat(65)
            + "\",\"category\":\"road\",\"status\":\"opened\"}");
    // --- acknowledgements
    badTopic(
        "ack without 'by'", "missing-field", "city/ack/a" + cases.size(), "{\"ts\":" + ts + "}");
    badTopic(
        "ack with a blank 'by'",
        "missing-field",
        "city/ack/a" + cases.size(),
        "{\"by\":\" \",\"ts\":" + ts + "}");
    badTopic(
        "ack with a bad ts",
        "bad-timestamp",
        "city/ack/a" + cases.size(),
        "{\"by\":\"m-7\",\"ts\":\"soon\"}");
    badTopic(
        "ack an hour ahead",
        "future-timestamp",
        "city/ack/a" + cases.size(),
        "{\"by\":\"m-7\",\"ts\":" + (now + 3_600_000L) + "}");
    badTopic(
        "ack stamped 1900",
        "timestamp-before-2000",
        "city/ack/a" + cases.size(),
        "{\"by\":\"m-7\",\"ts\":\"1900-01-01T00:00:00Z\"}");
    badTopic(
        "ack ts beyond a long",
        "bad-timestamp",
        "city/ack/a" + cases.size(),
        "{\"by\":\"m-7\",\"ts\":99999999999999999999}");
    badTopic(
        "ack in seconds",
        "timestamp-in-seconds",
        "city/ack/a" + cases.size(),
        "{\"by\":\"m-7\",\"ts\":" + (now / 1000) + "}");
    badTopic(
        "ack three hours old",
        "stale-timestamp",
        "city/ack/a" + cases.size(),
        "{\"by\":\"m-7\",\"ts\":" + (now - 3 * 3_600_000L) + "}");
    badTopic("ack not JSON", "not-json", "city/ack/a" + cases.size(), "ok!");
    badTopic("ack without an alert id", "missing-field", "city/ack/", "{\"by\":\"m-7\"}");
    badTopic(
        "named ack with a note of 257 characters",
        "bad-field",
        "city/ack/a" + cases.size() + "/m-7",
        "{\"note\":\"" + "到".repeat(257) + "\"}");
    badTopic(
        "named ack with a note that is a number",
        "bad-field",
        "city/ack/a" + cases.size() + "/m-7",
        "{\"note\":7}");
    badTopic(
        "resolve without a reason",
        "missing-field",
        "city/ack/a" + cases.size() + "/m-7",
        "{\"action\":\"resolve\"}");
    badTopic(
        "assign to nobody",
        "missing-field",
        "city/ack/a" + cases.size() + "/m-7",
        "{\"action\":\"assign\"}");
    badTopic(
        "an action that does not exist",
        "bad-field",
        "city/ack/a" + cases.size() + "/m-7",
        "{\"action\":\"delete\"}");
    badTopic(
        "named ack an hour ahead",
        "future-timestamp",
        "city/ack/a" + cases.size() + "/m-7",
        "{\"ts\":" + (now + 3_600_000L) + "}");

    // --- valid edge cases: must not be dead-lettered
    good(
        "ISO ts with +08:00",
        "traffic/probe",
        "{\"ts\":\""
            + iso(now - 10_000, "+08:00")
            + "\",\"lat\":30.25,\"lon\":120.15,\"speedKmh\":20,\"headingDeg\":90}");
    good(
        "ISO ts with Z and milliseconds",
        "traffic/probe",
        "{\"ts\":\""
            + iso(now - 10_123, "Z")
            + "\",\"lat\":30.25,\"lon\":120.15,\"speedKmh\":0,\"headingDeg\":360}");
    good(
        "ISO ts with a negative offset",
        "utility/water",
        "{\"ts\":\""
            + iso(now - 60_000, "-05:00")
            + "\",\"lat\":30.2,\"lon\":120.1,\"flowM3h\":3.5,\"pressureKPa\":310}");
    good(
        "extra fields",
        "traffic/loop",
        loop().replace("}", ",\"firmware\":\"2.1\",\"extra\":{\"a\":[1,2]}}"));
    good("ts within the clock-skew allowance", "traffic/loop", loop(String.valueOf(now + 60_000)));
    good(
        "negative power (export)",
        "utility/power",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"kW\":-3.2,\"voltageV\":229.5}");
    good(
        "smoke with a building id",
        "emergency/smoke",
        "{\"ts\":" + ts + ",\"lat\":30.2,\"lon\":120.1,\"alarm\":true,\"buildingId\":\"B-17\"}");
    good(
        "Chinese text in a field",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T-9\",\"category\":\"道路积水\",\"status\":\"opened\"}");
    good(
        "escaped control character in free text",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T-1\",\"category\":\"road\\u0001\",\"status\":\"assigned\"}");
    good(
        "ticket id with every allowed character",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"Az09._:-\",\"category\":\"road\",\"status\":\"opened\"}");
    good(
        "exactly 64 KiB",
        "traffic/loop",
        new String(pad(loop(), 64 * 1024), StandardCharsets.UTF_8));
    good("ts as a whole number with a zero fraction", "traffic/loop", loop(ts + ".0"));
    good(
        "ticket category of 256 emoji (512 UTF-16 units)",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T-2\",\"category\":\""
            + "\uD83D\uDD25".repeat(256)
            + "\",\"status\":\"opened\"}");
    bad(
        "ticket category of 257 Chinese characters",
        "bad-field",
        "community/ticket",
        "{\"ts\":"
            + ts
            + ",\"lat\":30.2,\"lon\":120.1,\"ticketId\":\"T1\",\"category\":\""
            + "积".repeat(257)
            + "\",\"status\":\"opened\"}");
    good(
        "boundary values",
        "traffic/loop",
        loop().replace("\"occupancy\":0.2", "\"occupancy\":1").replace("31.5", "0"));
    cases.add(
        new Case(
            "acknowledgement",
            "city/ack/a" + cases.size(),
            ("{\"by\":\"manager-7\",\"ts\":" + ts + "}").getBytes(StandardCharsets.UTF_8),
            null));
    cases.add(
        new Case(
            "a resolution with its reason",
            "city/ack/a" + cases.size() + "/manager-7",
            ("{\"action\":\"resolve\",\"note\":\"误报 false alarm\",\"ts\":" + ts + "}")
                .getBytes(StandardCharsets.UTF_8),
            null));
    cases.add(
        new Case(
            "an assignment",
            "city/ack/a" + cases.size() + "/operator-1",
            ("{\"action\":\"assign\",\"assignee\":\"manager-7\"}").getBytes(StandardCharsets.UTF_8),
            null));
    cases.add(
        new Case(
            "acknowledgement by a named user, with a note",
            "city/ack/a" + cases.size() + "/manager-7",
            ("{\"note\":\"马上到\",\"ts\":" + ts + "}").getBytes(StandardCharsets.UTF_8),
            null));
  }

  private static String iso(long epochMs, String offset) {
    return java.time.Instant.ofEpochMilli(epochMs)
        .atOffset(java.time.ZoneOffset.of(offset.equals("Z") ? "Z" : offset))
        .toString();
  }

  /** {@code json} followed by spaces up to {@code size} bytes: still the same JSON object. */
  private static byte[] pad(String json, int size) {
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(head, size);
    Arrays.fill(out, head.length, size, (byte) ' ');
    return out;
  }
}
