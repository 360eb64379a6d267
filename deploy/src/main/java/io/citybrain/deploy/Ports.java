package io.citybrain.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Fails start-up early, naming the flag, when a port the city needs is taken. */
final class Ports {
  private Ports() {}

  static void checkFree(LocalCity.Options o) {
    check(o.mqttPort(), "--mqtt-port");
    check(o.kafkaPort(), "--kafka-port");
    check(o.storePort(), "--store-port");
    check(o.flinkPort(), "--flink-port");
    if (o.consolePort() != LocalCity.Options.NO_CONSOLE) {
      check(o.consolePort(), "--console-port");
    }
  }

  private static void check(int port, String flag) {
    if (port == 0) {
      return;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(flag + " must be within 1..65535, got " + port);
    }
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "port "
              + port
              + " ("
              + flag
              + ") is in use: is another local city running? "
              + "Stop it, or choose another port with "
              + flag);
    }
  }
}
