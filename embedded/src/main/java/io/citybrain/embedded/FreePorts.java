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
}
