package io.citybrain.connectors.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS configuration of the bridge's broker connection, built once at start-up from the settings
 * so that a bad file or password stops start-up naming its key, instead of surfacing as a handshake
 * failure on every reconnect. The same configuration serves the MQTT 3.1.1 and 5 clients; the
 * client verifies the broker's host name against its certificate, as HTTPS does.
 *
 * <p>Messages name the key and the file and repeat the JDK's reason, which never contains the
 * password.
 */
final class BridgeTls {

  private BridgeTls() {}

  /** Null when the URL is not {@code ssl://} (plain TCP). */
  static com.hivemq.client.mqtt.MqttClientSslConfig sslConfig(BridgeSettings s) {
    if (!s.mqttUrl().startsWith("ssl://")) {
      return null;
    }
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (s.caFile() != null) {
        trust.init(caStore(s.caFile()));
      } else if (s.truststorePath() != null) {
        trust.init(load(s.truststorePath(), s.truststorePassword(), "bridge.mqtt.truststore"));
      } else {
        trust.init((KeyStore) null); // the JVM's default CAs
      }
      KeyManagerFactory keys = null;
      if (s.keystorePath() != null) {
        char[] password = s.keystorePassword() == null ? new char[0] : s.keystorePassword();
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
          keys.init(load(s.keystorePath(), password, "bridge.mqtt.keystore"), password);
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException(
              "bridge.mqtt.keystore.path "
                  + s.keystorePath()
                  + ": the key cannot be read with bridge.mqtt.keystore.password ("
                  + e.getMessage()
                  + ")");
        }
      }
      // No hostnameVerifier: the client's default checks the broker's host name the way HTTPS does.
      var config = com.hivemq.client.mqtt.MqttClientSslConfig.builder().trustManagerFactory(trust);
      return (keys == null ? config : config.keyManagerFactory(keys)).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot set up TLS for " + s.mqttUrl() + ": " + e.getMessage());
    }
  }

  private static KeyStore caStore(Path pem) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try (InputStream in = Files.newInputStream(pem)) {
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException(
            "bridge.mqtt.tls.ca-file " + pem + " holds no PEM certificate");
      }
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "bridge.mqtt.tls.ca-file "
              + pem
              + " is not a PEM certificate file ("
              + e.getMessage()
              + ")");
    }
  }

  private static KeyStore load(Path file, char[] password, String prefix) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
      store.load(in, password);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      // e.g. "keystore password was incorrect": the reason, never the password
      throw new IllegalArgumentException(
          prefix
              + ".path "
              + file
              + " cannot be opened with "
              + prefix
              + ".password ("
              + e.getMessage()
              + ")");
    }
  }
}
