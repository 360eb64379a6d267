package io.citybrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/** Ephemeral ports for servers that cannot bind to port 0 and report back. */
public final class FreePorts {
  private FreePorts() {}

  /**
   * The ports handed out lately, which the kernel may offer again as soon as the probe socket is
   * closed: a caller often picks several ports before anything binds them (a broker's client and
   * controller listeners, a cluster's processes), and two of them on one port do not start.
   */
  private static final int REMEMBERED = 4096;

  private static final ArrayDeque<Integer> recent = new ArrayDeque<>();
  private static final Set<Integer> recentSet = new HashSet<>();

  /**
   * {@code port} itself, or a free ephemeral port when it is 0, none of the last ones handed out.
   */
  public static int resolve(int port) {
    if (port != 0) {
      return port;
    }
    synchronized (recent) {
      while (true) {
        int candidate;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
          candidate = s.getLocalPort();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot find a free port", e);
        }
        if (recentSet.add(candidate)) {
          recent.addLast(candidate);
          if (recent.size() > REMEMBERED) {
            recentSet.remove(recent.removeFirst());
          }
          return candidate;
        }
      }
    }
  }
}
