package io.citybrain.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.connectors.mqtt.ConfirmedPublisher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes an operator's acknowledgement on {@code city/ack/<alertId>} (contract v1), the way a
 * community manager's app does; the bridge carries it to {@code city.acks} and the emergency job
 * moves the alert to acknowledged. Thread-safe: the MQTT client is.
 */
final class AckPublisher implements AutoCloseable {

  private static final Duration PUBACK_WAIT = Duration.ofSeconds(10);
  private final ConfirmedPublisher client;
  private final ObjectMapper json;

  private AckPublisher(ConfirmedPublisher client, ObjectMapper json) {
    this.client = client;
    this.json = json;
  }

  /** Throws {@link IllegalStateException} naming the broker and the account when it refuses. */
  static AckPublisher connect(ConsoleSettings s, ObjectMapper json) {
    // One id per console process: two consoles must not take each other's session.
    String clientId =
        "citybrain-console-"
            + ProcessHandle.current().pid()
            + "-"
            + Long.toHexString(System.nanoTime());
    return new AckPublisher(
        ConfirmedPublisher.connect(
            s.mqttUrl(), clientId, s.mqttUser(), s.mqttPassword(), Duration.ofSeconds(10)),
        json);
  }

  /**
   * Publishes a person's action at QoS 1 and returns once the broker has it.
   *
   * <p>Signed in ({@code named}), on {@code city/ack/<alertId>/<username>} (issue 20): the
   * console's service account may publish under any name, because the console has checked who the
   * person is and what their scope covers; the bridge and the emergency job check again. With the
   * token, on contract v1's {@code city/ack/<alertId>} with {@code by}.
   *
   * @param action null for an acknowledgement (v1), else resolve, assign or comment
   */
  void publish(
      String alertId,
      String by,
      boolean named,
      String action,
      String note,
      String assignee,
      long ts)
      throws ConfirmedPublisher.Unacknowledged {
    Map<String, Object> payload = new LinkedHashMap<>();
    if (!named) {
      payload.put("by", by);
    }
    payload.put("ts", ts);
    if (action != null) {
      payload.put("action", action);
    }
    if (note != null) {
      payload.put("note", note);
    }
    if (assignee != null) {
      payload.put("assignee", assignee);
    }
    try {
      client.publishAndWait(
          named ? topic(alertId) + "/" + by : topic(alertId),
          json.writeValueAsBytes(payload),
          PUBACK_WAIT);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an acknowledgement", e);
    }
  }

  boolean connected() {
    return client.connected();
  }

  static String topic(String alertId) {
    return "city/ack/" + alertId;
  }

  @Override
  public void close() {
    client.close();
  }
}
