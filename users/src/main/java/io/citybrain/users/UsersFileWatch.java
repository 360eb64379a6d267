package io.citybrain.users;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A users file that follows its edits: {@link #current(long)} is the file as last read, read again
 * when its content has changed, looked at no more than once per interval. A person added, moved to
 * another community or removed counts without a restart: on Kubernetes, once the kubelet has
 * updated the mounted Secret (which swaps a symbolic link, so the content is compared, not the
 * modification time).
 *
 * <p>A version that does not load (a typo, a line without a hash, a file half written) is reported
 * to {@code log} and the last good one stays: an edit never locks everyone out, and the accounts in
 * force are always a whole file's. Thread-safe.
 */
public final class UsersFileWatch {

  /** How often the file is looked at: a removed person is out within this much of the edit. */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Path file;
  private final long intervalMs;
  private final Consumer<String> log;
  private volatile UsersFile current;
  private volatile long checkedAt;

  /** The content {@link #current} was read from, or the last refused one: each is parsed once. */
  private byte[] seen;

  private UsersFileWatch(
      Path file, long intervalMs, Consumer<String> log, byte[] content, UsersFile users, long now) {
    this.file = file;
    this.intervalMs = intervalMs;
    this.log = log;
    this.seen = content;
    this.current = users;
    this.checkedAt = now;
  }

  /**
   * Reads {@code file}; a file that does not load stops the caller, as {@link UsersFile#load} does.
   */
  public static UsersFileWatch start(Path file, Duration interval, Consumer<String> log, long now) {
    byte[] content = read(file);
    return new UsersFileWatch(file, interval.toMillis(), log, content, parse(file, content), now);
  }

  /** The accounts in force at {@code now} (epoch ms). */
  public UsersFile current(long now) {
    if (now - checkedAt < intervalMs) {
      return current;
    }
    synchronized (this) {
      if (now - checkedAt >= intervalMs) {
        checkedAt = now;
        reload();
      }
    }
    return current;
  }

  private void reload() {
    byte[] content;
    try {
      content = read(file);
    } catch (UncheckedIOException e) {
      log.accept(
          "users file "
              + file
              + " cannot be read ("
              + e.getCause().getMessage()
              + "): the accounts read before stay");
      return;
    }
    if (Arrays.equals(content, seen)) {
      return;
    }
    seen = content;
    try {
      current = parse(file, content);
      log.accept("users file " + file + " read again (" + current.accounts().size() + " accounts)");
    } catch (IllegalArgumentException e) {
      log.accept(e.getMessage() + ": the accounts read before stay");
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("users file " + file + " cannot be read", e);
    }
  }

  private static UsersFile parse(Path file, byte[] content) {
    List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
    return UsersFile.parse(lines, file.toString());
  }
}
