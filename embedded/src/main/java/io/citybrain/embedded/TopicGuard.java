package io.citybrain.embedded;

import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a publication whose topic name holds a character that Mosquitto refuses too (its UTF-8
 * check: C0 and C1 controls, NUL included, and Unicode noncharacters), or U+FFFD, which is what
 * malformed UTF-8 becomes when Moquette decodes it. A subscriber's client library may drop its
 * connection on such a topic (MQTT forbids NUL; controls and noncharacters are "should not") and
 * the broker would redeliver the message to its persistent session for ever: one device could stall
 * ingest. Refused here, the message never reaches a session; it is logged (once per client, with
 * the character) and counted ({@link #refused()}). Everything else goes to the delegate: the users'
 * access rules, or, for an anonymous broker, everyone may publish and subscribe.
 */
final class TopicGuard implements IAuthorizatorPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(TopicGuard.class);

  /** Clients whose refusals were already logged; bounded so that a flood cannot grow it. */
  private static final int LOGGED_CLIENTS = 10_000;

  private final IAuthorizatorPolicy delegate;
  private final AtomicLong refused = new AtomicLong();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** {@code delegate} null: everyone may publish and subscribe (an anonymous broker). */
  TopicGuard(IAuthorizatorPolicy delegate) {
    this.delegate = delegate;
  }

  /**
   * The first character of {@code topic} that is refused, as U+XXXX, or null when there is none.
   */
  static String refusedCharacter(String topic) {
    for (int i = 0; i < topic.length(); ) {
      int c = topic.codePointAt(i);
      boolean control = c <= 0x1F || (c >= 0x7F && c <= 0x9F);
      boolean nonCharacter = (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
      boolean lone = Character.isSurrogate((char) c) && c <= 0xFFFF;
      if (control || nonCharacter || lone || c == 0xFFFD) {
        return String.format("U+%04X", c);
      }
      i += Character.charCount(c);
    }
    return null;
  }

  @Override
  public boolean canWrite(Topic topic, String user, String client) {
    String bad = refusedCharacter(topic.toString());
    if (bad != null) {
      long n = refused.incrementAndGet();
      if (logged.size() < LOGGED_CLIENTS && logged.add(client == null ? "" : client)) {
        LOG.warn(
            "MQTT broker refused a publication of client '{}' (user '{}'): its topic holds {} ({} refused so far; "
                + "further refusals of this client are counted, not logged)",
            client,
            user,
            bad,
            n);
      }
      return false;
    }
    return delegate == null || delegate.canWrite(topic, user, client);
  }

  @Override
  public boolean canRead(Topic topic, String user, String client) {
    return delegate == null || delegate.canRead(topic, user, client);
  }

  long refused() {
    return refused.get();
  }
}
