package io.citybrain.connectors.bridge;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A device that writes MQTT 3.1.1 packets byte by byte, so that a test can send what no client
 * library would encode: a topic with NUL, controls or malformed UTF-8. One connection per message,
 * clean session; the result says whether the broker acknowledged the publication or closed the
 * connection instead.
 */
final class RawMqtt {

  /** What became of one QoS 1 publication. */
  enum Outcome {
    ACKNOWLEDGED,
    CLOSED,
    NO_ANSWER
  }

  private RawMqtt() {}

  /**
   * CONNECT as {@code clientId}, PUBLISH {@code topic} (raw bytes) at QoS 1, wait up to {@code
   * waitMs} for its PUBACK.
   */
  static Outcome publish(String url, String clientId, byte[] topic, byte[] payload, int waitMs)
      throws IOException {
    return publish(url, clientId, topic, payload, waitMs, () -> false);
  }

  /**
   * {@link #publish(String, String, byte[], byte[], int)}, giving up early with {@code NO_ANSWER}
   * once {@code refused} holds: Moquette neither acknowledges nor closes on a publication its
   * authorizer refuses, it only counts it.
   */
  static Outcome publish(
      String url,
      String clientId,
      byte[] topic,
      byte[] payload,
      int waitMs,
      java.util.function.BooleanSupplier refused)
      throws IOException {
    URI uri = URI.create(url);
    try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      ByteArrayOutputStream connect = new ByteArrayOutputStream();
      string(connect, "MQTT".getBytes(StandardCharsets.UTF_8));
      connect.write(4); // protocol level 3.1.1
      connect.write(0x02); // clean session
      connect.write(0);
      connect.write(60);
      string(connect, clientId.getBytes(StandardCharsets.UTF_8));
      packet(out, 0x10, connect.toByteArray());
      if (in.readUnsignedByte() != 0x20 || in.readUnsignedByte() != 2) {
        throw new IOException("no CONNACK");
      }
      in.readUnsignedByte();
      int rc = in.readUnsignedByte();
      if (rc != 0) {
        throw new IOException("CONNACK return code " + rc);
      }
      ByteArrayOutputStream publish = new ByteArrayOutputStream();
      string(publish, topic);
      publish.write(0);
      publish.write(1); // packet id 1
      publish.write(payload);
      try {
        packet(out, 0x32, publish.toByteArray());
      } catch (java.net.SocketException e) {
        return Outcome
            .CLOSED; // closed by the broker while the packet was still being written (too large)
      }
      long deadline = System.nanoTime() + waitMs * 1_000_000L;
      s.setSoTimeout(50);
      try {
        int type;
        while (true) {
          try {
            type = in.read();
            break;
          } catch (SocketTimeoutException e) {
            if (refused.getAsBoolean() || System.nanoTime() > deadline) {
              return Outcome.NO_ANSWER;
            }
          }
        }
        if (type == -1) {
          return Outcome.CLOSED;
        }
        if (type != 0x40) {
          throw new IOException("expected PUBACK, got packet type 0x" + Integer.toHexString(type));
        }
        in.readFully(new byte[3]);
        packet(out, 0xE0, new byte[0]);
        return Outcome.ACKNOWLEDGED;
      } catch (SocketTimeoutException e) {
        return Outcome.NO_ANSWER;
      } catch (java.net.SocketException e) {
        return Outcome.CLOSED; // reset by the broker
      }
    }
  }

  private static void string(ByteArrayOutputStream out, byte[] bytes) {
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xff);
    out.writeBytes(bytes);
  }

  private static void packet(OutputStream out, int header, byte[] body) throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(header);
    int len = body.length;
    do {
      int b = len % 128;
      len /= 128;
      p.write(len > 0 ? b | 0x80 : b);
    } while (len > 0);
    p.writeBytes(body);
    out.write(p.toByteArray());
    out.flush();
  }
}
