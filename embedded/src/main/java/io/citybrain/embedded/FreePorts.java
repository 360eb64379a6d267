package io.citybrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ephemeral ports for servers that cannot bind to port 0 and report back. */
public final class FreePorts {
  private FreePorts() {}

  /** {@code port} itself, or a free ephemeral port when it is 0. */
  public static int resolve(int port) {
    if (port != 0) {
      return port;
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }

  /**
   * {@code ports} with every 0 replaced by a free ephemeral port, all of them different. The
   * sockets stay bound until every port is chosen: one {@link #resolve} after another may be handed
   * the port the previous call just released, and a broker with its client and controller
   * listeners on one port does not start.
   */
  public static int[] resolveDistinct(int... ports) {
    int[] out = ports.clone();
    java.util.List<ServerSocket> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < out.length; i++) {
        if (out[i] == 0) {
          ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          held.add(s);
          out[i] = s.getLocalPort();
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find " + ports.length + " free ports", e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a listening socket that nothing accepted on: nothing to release
        }
      }
    }
  }
}
