package io.citybrain.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The store as a process of its own (the multi-process local cluster): {@code QuestDbMain <root>
 * <http-port>}. Creates the contract's tables like {@link EmbeddedQuestDb}, prints {@value #READY}
 * and runs until SIGTERM, which closes the store cleanly (committed rows survive a SIGKILL too:
 * QuestDB commits on every write request).
 *
 * <p>With {@code CITYBRAIN_STORE_USER} and {@code CITYBRAIN_STORE_PASSWORD} in the environment
 * (never on the command line, where {@code ps} shows it), every endpoint needs that account, as in
 * the local city (issue 23).
 */
public final class QuestDbMain {
  /** The line a supervisor waits for. */
  public static final String READY = "questdb ready";

  public static final String USER_ENV = "CITYBRAIN_STORE_USER";
  public static final String PASSWORD_ENV = "CITYBRAIN_STORE_PASSWORD";

  private QuestDbMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: QuestDbMain <root-dir> <http-port>");
      System.exit(2);
    }
    String user = System.getenv(USER_ENV);
    String password = System.getenv(PASSWORD_ENV);
    if ((user == null) != (password == null)) {
      System.err.println(USER_ENV + " and " + PASSWORD_ENV + " go together: give both or neither");
      System.exit(2);
    }
    EmbeddedQuestDb db =
        EmbeddedQuestDb.start(
            Path.of(args[0]),
            Integer.parseInt(args[1]),
            user,
            password == null ? null : password.toCharArray());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  db.close();
                  stopped.countDown();
                },
                "questdb-shutdown"));
    System.out.println(READY + " on " + db.url());
    System.out.flush();
    stopped.await();
  }
}
