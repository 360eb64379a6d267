package io.citybrain.connectors.bridge;

import javax.net.SocketFactory;

/**
 * What a session does the same way over Paho's mqttv3 and mqttv5 clients: connect then subscribe
 * at QoS 1 and treat a failed SUBACK as a refusal, tear down abruptly or cleanly, translate the
 * clients' exceptions into {@link Failure}s. The two clients share no types, so the version-specific
 * calls are the abstract methods; a subclass owns its client and passes arrivals to {@link #listener}.
 */
abstract class PahoSession implements BrokerSession {
  /** SUBACK: a granted QoS (3.1.1) or a reason code (5) from 0x80 on is a refusal. */
  private static final int SUBACK_FAILURE = 0x80;
  /** Seconds between PINGREQs; the bridge's own reconnects start when the client notices a dead link. */
  static final int KEEP_ALIVE_S = 30;

  final BridgeSettings settings;
  /** null without TLS. */
  final SocketFactory tls;
  final Listener listener;

  PahoSession(BridgeSettings settings, SocketFactory tls, Listener listener) {
    this.settings = settings;
    this.tls = tls;
    this.listener = listener;
  }

  /** A call into a Paho client, whose checked exception type depends on the version. */
  interface ClientCall<T> {
    T call() throws Exception;
  }

  /** A teardown call into a Paho client. */
  interface Teardown {
    void run() throws Exception;
  }

  /** Connects (persistent session, no automatic reconnect) and waits at most {@code timeoutMs}. */
  abstract void connect(long timeoutMs) throws Exception;

  /** Subscribes to the configured filter at QoS 1; the SUBACK's codes, one per filter. */
  abstract int[] subscribe(long timeoutMs) throws Exception;

  /** The client's error code of one of its exceptions, and whether it is a refusal by the broker. */
  abstract int reasonCode(Exception e);

  abstract boolean refusal(int reasonCode);

  abstract void disconnectForcibly() throws Exception;

  /** DISCONNECT, waiting a little for in-flight work. */
  abstract void disconnect() throws Exception;

  abstract void closeClient() throws Exception;

  /** Runs a client call, translating the client's checked exception; runtime exceptions pass through. */
  final <T> T checked(ClientCall<T> c) throws Failure {
    try {
      return c.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw failure(e);
    }
  }

  @Override
  public final void open(long timeoutMs) throws Failure {
    int[] codes = checked(() -> {
      connect(timeoutMs);
      return subscribe(timeoutMs);
    });
    if (codes != null && codes.length > 0 && codes[0] >= SUBACK_FAILURE) {
      throw new Failure("the broker refused the subscription to " + settings.subscription()
          + " (reason code 0x" + Integer.toHexString(codes[0]) + ")", true, null);
    }
  }

  static int connectionTimeoutSeconds(long timeoutMs) {
    return (int) Math.max(1, timeoutMs / 1000);
  }

  // Paho's messages name the reason, never the password; the cause may be a socket or TLS error.
  private Failure failure(Exception e) {
    int code = reasonCode(e);
    boolean tlsFailed = Failure.isTls(e);
    return new Failure((tlsFailed ? Failure.TLS_FAILED : "") + e.getMessage() + " (reason " + code
        + (e.getCause() == null ? "" : ", " + e.getCause()) + ")", refusal(code) || tlsFailed, null);
  }

  @Override
  public final void drop() {
    quietly(this::disconnectForcibly); // already gone
    quietly(this::closeClient);
  }

  @Override
  public final void leave() {
    if (isConnected()) {
      quietly(this::disconnect); // unclean: the broker redelivers what was not acknowledged
    }
    quietly(this::closeClient);
  }

  /** Teardown: a failure leaves nothing to do (the connection is gone, or nothing is left to release). */
  private static void quietly(Teardown c) {
    try {
      c.run();
    } catch (Exception ignored) {
      // see the callers
    }
  }
}
