package io.citybrain.connectors.bridge;

import javax.net.ssl.SSLException;

/**
 * One connection of the bridge to the MQTT broker, whatever the protocol version: connect with a
 * persistent session, subscribe at QoS 1, hand each message to the {@link Listener}, and send its
 * PUBACK only when told to ({@link #ack}). The bridge's pipeline (validation, Kafka, in-flight
 * bound, reconnects) is the same for every version; only this seam differs.
 *
 * <p>A session is used for one connection only: after {@link #drop()} or {@link #leave()} a new one
 * is made, so an acknowledgement can never go out with a packet id of an older connection.
 */
interface BrokerSession {

  /** Called on the client's callback thread. */
  interface Listener {
    /** A message; blocking here stops the client reading the socket (backpressure). */
    void arrived(String topic, byte[] payload, int messageId, int qos);

    void lost(Throwable cause);
  }

  /** Connects and subscribes, waiting at most {@code timeoutMs} for each. */
  void open(long timeoutMs) throws Failure;

  /** Sends the PUBACK of a message; a failure only means the broker will redeliver it. */
  void ack(int messageId, int qos) throws Exception;

  /** Abrupt: no DISCONNECT, so nothing the broker sent is taken as handled. */
  void drop();

  /** Clean: DISCONNECT, keeping the session on the broker. */
  void leave();

  boolean isConnected();

  /**
   * Why a connection or subscription failed. {@code refusal} is a decision of the broker (bad
   * credentials, not authorised, an untrusted certificate) that retrying will not change, as
   * opposed to a broker that is down. The message never contains a password.
   */
  final class Failure extends Exception {
    /** How the message of a TLS handshake failure starts. */
    static final String TLS_FAILED = "TLS handshake failed: ";

    private final boolean refusal;

    Failure(String message, boolean refusal, Throwable cause) {
      super(message, cause);
      this.refusal = refusal;
    }

    boolean refusal() {
      return refusal;
    }

    /** A TLS handshake failure (untrusted certificate, wrong host name) somewhere in the causes. */
    static boolean isTls(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SSLException) {
          return true;
        }
      }
      return false;
    }
  }
}
