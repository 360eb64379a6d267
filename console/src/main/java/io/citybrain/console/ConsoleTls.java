package io.citybrain.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The console's own TLS, from a PKCS12 key store (what cert-manager and keytool both write). */
final class ConsoleTls {

  private ConsoleTls() {}

  /** Throws {@link IllegalArgumentException} naming the key store when it cannot be used. */
  static SSLContext context(ConsoleSettings.Tls tls) {
    try (InputStream in = Files.newInputStream(tls.keystore())) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, tls.password());
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, tls.password());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "console.tls.keystore " + tls.keystore() + " cannot be used: " + e.getMessage(), e);
    }
  }
}
