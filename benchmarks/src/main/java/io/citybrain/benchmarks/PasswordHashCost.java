package io.citybrain.benchmarks;

import io.citybrain.users.UsersFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * What checking one password costs in CPU (issue 20): the users file's hashes as the console's
 * sign-in and the embedded broker check them, at the iteration counts the file uses, beside the
 * earlier format ({@code pbkdf2-sha256$}, 10,000 iterations) as the baseline of the same run. CPU
 * time of this thread, so a busy machine does not inflate it. Run: {@code java -cp
 * benchmarks/target/benchmarks.jar io.citybrain.benchmarks.PasswordHashCost}.
 */
public final class PasswordHashCost {

  private PasswordHashCost() {}

  public static void main(String[] args) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    char[] password = "correct horse battery staple".toCharArray();
    String legacy = legacyHash(password);
    System.out.println("hash                                   CPU ms per check");
    for (int round = 0;
        round < 2;
        round++) { // the first round warms the JIT up; the second is printed
      StringBuilder table = new StringBuilder();
      table.append(row("pbkdf2-sha256, 10,000 (earlier format)", cpu, legacy, password));
      table.append(
          row(
              "$7$ PBKDF2-SHA512, 1,000 (random secrets)",
              cpu,
              UsersFile.hash(password, UsersFile.RANDOM_SECRET_ITERATIONS),
              password));
      table.append(
          row("$7$ PBKDF2-SHA512, 210,000 (people)", cpu, UsersFile.hash(password), password));
      if (round == 1) {
        System.out.print(table);
      }
    }
  }

  private static String row(String name, ThreadMXBean cpu, String hash, char[] password) {
    int n = 10;
    long start = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      if (!UsersFile.matches(password, hash)) {
        throw new AssertionError("the hash does not match its password: " + name);
      }
    }
    return String.format(
        Locale.ROOT, "%-42s %7.1f%n", name, (cpu.getCurrentThreadCpuTime() - start) / 1e6 / n);
  }

  /** The earlier users file's form, as MqttUsers wrote it before the users module. */
  private static String legacyHash(char[] password) {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    try {
      byte[] hash =
          javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
              .generateSecret(new javax.crypto.spec.PBEKeySpec(password, salt, 10_000, 256))
              .getEncoded();
      return "pbkdf2-sha256$10000$"
          + java.util.Base64.getEncoder().encodeToString(salt)
          + "$"
          + java.util.Base64.getEncoder().encodeToString(hash);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
