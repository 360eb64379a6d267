package io.citybrain.connectors.bridge;

import java.util.Properties;

/** What {@link BridgeMain} reads besides {@link BridgeSettings}, for ProcessKeysDocTest. */
public final class BridgeMainKeys {
  private BridgeMainKeys() {}

  public static void read(Properties p) {
    BridgeMain.pipelineStore(p);
  }
}
