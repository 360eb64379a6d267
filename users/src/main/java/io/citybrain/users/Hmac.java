package io.citybrain.users;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256, the one signature citybrain makes: the console's session cookies and the signatures
 * on what dispatch sends to webhooks and robots. Here beside the password hashing, so that every
 * process that signs depends on one implementation.
 */
public final class Hmac {
  private Hmac() {}

  public static byte[] sha256(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
