package io.citybrain.connectors.dispatch;

import io.citybrain.contract.Alert;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * Sends an alert to an e-mail {@link Channel} through the dispatcher's SMTP server (Jakarta Mail,
 * Angus' implementation), retrying a failed send as every channel does ({@link Retries}).
 * Thread-safe: the session is, and each send opens its own transport.
 */
final class Mailer {

  private final DispatchSettings.Smtp smtp;
  private final Session session;
  private final int retries;

  Mailer(DispatchSettings.Smtp smtp, int retries, java.time.Duration timeout) {
    this.smtp = smtp;
    this.retries = retries;
    Properties p = new Properties();
    p.put("mail.smtp.host", smtp.host());
    p.put("mail.smtp.port", String.valueOf(smtp.port()));
    p.put("mail.smtp.auth", String.valueOf(smtp.username() != null));
    // STARTTLS required, not merely tried: a server that does not offer it fails the send, so an
    // alert and the account's password never cross the network in clear by a downgrade.
    p.put("mail.smtp.starttls.enable", String.valueOf(smtp.starttls()));
    p.put("mail.smtp.starttls.required", String.valueOf(smtp.starttls()));
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    p.put("mail.smtp.connectiontimeout", String.valueOf(timeout.toMillis()));
    p.put("mail.smtp.timeout", String.valueOf(timeout.toMillis()));
    p.put("mail.smtp.writetimeout", String.valueOf(timeout.toMillis()));
    this.session = Session.getInstance(p);
  }

  /**
   * Empty when the SMTP server took the message for every recipient, else why it gave up (for the
   * dead letter).
   */
  Optional<String> send(Channel channel, Alert alert, BooleanSupplier running) {
    return Retries.run(
        retries,
        running,
        "SMTP " + smtp.host() + ":" + smtp.port(),
        channel.name(),
        alert.alertId(),
        () -> {
          try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress(smtp.from()));
            for (InternetAddress to : channel.recipients()) {
              m.addRecipient(Message.RecipientType.TO, to);
            }
            m.setSubject(printable(Channel.subject(alert)), StandardCharsets.UTF_8.name());
            m.setText(Channel.text(alert), StandardCharsets.UTF_8.name());
            m.setHeader("X-Citybrain-Alert-Id", printable(alert.alertId()));
            m.setSentDate(new Date());
            if (smtp.username() == null) {
              Transport.send(m);
            } else {
              Transport.send(m, smtp.username(), new String(smtp.password()));
            }
            return Retries.Attempt.DELIVERED;
          } catch (MessagingException e) {
            return Retries.Attempt.retry(e.getClass().getSimpleName() + ": " + e.getMessage());
          }
        });
  }

  /**
   * A header value without control characters: an alert's fields come from whoever wrote {@code
   * city.alerts}, and a CR or LF in a header would start a header of the writer's choice.
   */
  static String printable(String value) {
    return value.replaceAll("\\p{Cntrl}", " ");
  }
}
