package io.citybrain.connectors.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.dispatch.AlertDispatcher;
import io.citybrain.contract.Alert;
import io.citybrain.embedded.EmbeddedQuestDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the store goes through the client's line-protocol writer and comes back as it was
 * sent, whatever characters its strings hold; and a batch with one line the store cannot take loses
 * only that line. Against the real embedded store, through the same {@link InfluxWrites} the jobs
 * and the dispatcher use.
 */
class StoreWritesITCase {

  @TempDir static Path dir;
  private static EmbeddedQuestDb store;
  private static InfluxWrites writes;

  @BeforeAll
  static void start() {
    store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0);
    writes =
        new InfluxWrites(
            new InfluxSettings(store.url(), "citybrain", "citybrain", "x"),
            2,
            Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    writes.close();
    store.close();
  }

  /**
   * The bridge keeps ids to a safe set, but messages, district names from a city's own data and
   * free text still reach the store: every special character of line protocol (space, comma, equals
   * sign, quotes, backslash, newline, carriage return, tab), markup, and characters outside the
   * Basic Multilingual Plane, in tags and in string fields alike.
   */
  @Test
  void stringsWithEverySpecialCharacterAreStoredAsSent() throws Exception {
    List<String> odd =
        List.of(
            "a b",
            "a,b",
            "a=b",
            "a\"b",
            "a'b",
            "a\\b",
            "a\\",
            "a\nb",
            "a\rb",
            "a\tb",
            "<img src=x onerror=alert(1)>",
            "🚦 路口",
            "tail space ",
            "=",
            ",",
            "\\\"");
    Map<String, Alert> sent = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    List<String> unwritable = new ArrayList<>();
    long ts = 1_767_600_000_000L;
    for (int i = 0; i < odd.size(); i++) {
      String s = odd.get(i);
      Alert a =
          new Alert(
              "odd-" + i,
              "smoke " + s,
              Alert.SEVERITY_WARNING,
              Alert.STATE_RAISED,
              "330106",
              "c-" + s,
              30.0,
              120.0,
              ts + i,
              "message " + s,
              null,
              Alert.SCOPE_COMMUNITY,
              null);
      try {
        lines.add(InfluxWrites.lineOf(AlertDispatcher.toPoint(a)));
        sent.put(a.alertId(), a);
      } catch (InfluxWrites.UnwritablePoint e) {
        assertThat(e.getMessage()).contains("holds a backslash or a control character");
        unwritable.add(s);
      }
    }

    List<InfluxWrites.RefusedLine> refused = writes.writeSplitting(lines);

    // Line protocol cannot carry a backslash or a control character in a tag the same way to
    // every store (the client leaves a backslash as it is; the local store reads it as an escape,
    // InfluxDB keeps it): such points are refused before they are sent, naming the tag. Every
    // other string is stored exactly as sent; control characters in a message become spaces.
    assertThat(unwritable).containsExactlyInAnyOrder("a\\b", "a\\", "a\nb", "a\rb", "a\tb", "\\\"");
    assertThat(refused).as("lines the store refused").isEmpty();
    await().atMost(Duration.ofSeconds(30)).until(() -> stored("odd-%").size() == sent.size());
    for (Map<String, Object> row : stored("odd-%")) {
      Alert a = sent.get((String) row.get("alert_id"));
      assertThat(row)
          .as("row of %s", a.alertId())
          .containsEntry("kind", a.kind())
          .containsEntry("community", a.community())
          .containsEntry("message", a.message());
    }
  }

  /**
   * Every change a person makes is a row of its own: who, what, why and to whom, beside the state;
   * a comment leaves the state as it was, and its note loses its line breaks, not its words.
   */
  @Test
  void aPersonsChangesAreRowsNamingWhoDidWhatAndWhy() throws Exception {
    long ts = 1_767_800_000_000L;
    Alert raised =
        new Alert(
            "people-1",
            "fire_unconfirmed",
            Alert.SEVERITY_CRITICAL,
            Alert.STATE_RAISED,
            "330106",
            "c-1",
            30.0,
            120.0,
            ts,
            "smoke detector",
            null,
            Alert.SCOPE_COMMUNITY,
            null);
    List<Alert> history =
        List.of(
            raised,
            new Alert(
                "people-1",
                "fire_unconfirmed",
                Alert.SEVERITY_CRITICAL,
                Alert.STATE_RAISED,
                "330106",
                "c-1",
                30.0,
                120.0,
                ts + 1000,
                "smoke detector",
                null,
                Alert.SCOPE_COMMUNITY,
                null,
                null,
                "op-wang",
                Alert.ACTION_ASSIGNED,
                "mgr-li"),
            new Alert(
                "people-1",
                "fire_unconfirmed",
                Alert.SEVERITY_CRITICAL,
                Alert.STATE_ACKNOWLEDGED,
                "330106",
                "c-1",
                30.0,
                120.0,
                ts + 2000,
                "smoke detector",
                null,
                Alert.SCOPE_COMMUNITY,
                "mgr-li",
                "on my way\nto building 3",
                "mgr-li",
                Alert.ACTION_ACKNOWLEDGED,
                "mgr-li"));
    List<String> lines = new ArrayList<>();
    for (Alert a : history) {
      lines.add(InfluxWrites.lineOf(AlertDispatcher.toPoint(a)));
    }
    assertThat(writes.writeSplitting(lines)).as("lines the store refused").isEmpty();
    String sql =
        "SELECT state, actor, action, note, assignee FROM alert WHERE alert_id = 'people-1' ORDER BY timestamp";
    await().atMost(Duration.ofSeconds(30)).until(() -> store.query(sql).size() == 3);
    List<Map<String, Object>> rows = store.query(sql);
    assertThat(rows.get(0))
        .containsEntry("state", "raised")
        .containsEntry("actor", null)
        .containsEntry("action", null);
    assertThat(rows.get(1))
        .containsEntry("state", "raised")
        .containsEntry("actor", "op-wang")
        .containsEntry("action", "assigned")
        .containsEntry("assignee", "mgr-li")
        .containsEntry("note", null);
    assertThat(rows.get(2))
        .containsEntry("state", "acknowledged")
        .containsEntry("actor", "mgr-li")
        .containsEntry("action", "acknowledged")
        .containsEntry("note", "on my way to building 3");
  }

  @Test
  void oneLineTheStoreRefusesIsTheOnlyOneLost() throws Exception {
    List<String> lines = new ArrayList<>();
    long ts = 1_767_700_000_000L;
    for (int i = 0; i < 40; i++) {
      Alert a =
          new Alert(
              "split-" + i,
              "smoke",
              Alert.SEVERITY_WARNING,
              Alert.STATE_RAISED,
              "330106",
              "c-1",
              30.0,
              120.0,
              ts + i,
              "fine",
              null,
              Alert.SCOPE_COMMUNITY,
              null);
      lines.add(InfluxWrites.lineOf(AlertDispatcher.toPoint(a)));
    }
    // A field whose type clashes with the table's column (alert_id is a string): the store
    // refuses it, as it would a line a future bug of ours wrote wrongly.
    String bad =
        "alert,kind=smoke,district=330106 alert_id=17i,state=\"raised\",message=\"clash\" "
            + (ts + 99);
    lines.add(23, bad);

    List<InfluxWrites.RefusedLine> refused = writes.writeSplitting(lines);

    assertThat(refused).extracting(InfluxWrites.RefusedLine::line).containsExactly(bad);
    assertThat(refused.get(0).reason()).isNotBlank();
    await().atMost(Duration.ofSeconds(30)).until(() -> stored("split-%").size() == 40);
    assertThat(
            stored("split-%").stream()
                .map(r -> (String) r.get("alert_id"))
                .collect(Collectors.toSet()))
        .hasSize(40);
  }

  private static List<Map<String, Object>> stored(String idPattern) {
    return store.query(
        "SELECT alert_id, kind, community, message FROM alert WHERE alert_id LIKE '"
            + idPattern
            + "'");
  }
}
