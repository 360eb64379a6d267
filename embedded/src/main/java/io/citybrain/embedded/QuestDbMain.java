package io.citybrain.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The store as a process of its own (the multi-process local cluster): {@code QuestDbMain <root> <http-port>}.
 * Creates the contract's tables like {@link EmbeddedQuestDb}, prints {@value #READY} and runs until
 * SIGTERM, which closes the store cleanly (committed rows survive a SIGKILL too: QuestDB commits on
 * every write request).
 */
public final class QuestDbMain {
  /** The line a supervisor waits for. */
  public static final String READY = "questdb ready";

  private QuestDbMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: QuestDbMain <root-dir> <http-port>");
      System.exit(2);
    }
    EmbeddedQuestDb db = EmbeddedQuestDb.start(Path.of(args[0]), Integer.parseInt(args[1]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      db.close();
      stopped.countDown();
    }, "questdb-shutdown"));
    System.out.println(READY + " on " + db.url());
    System.out.flush();
    stopped.await();
  }
}
