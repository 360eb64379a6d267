package io.citybrain.deploy;

import io.citybrain.users.Account;
import io.citybrain.users.UsersFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./citybrain users}: the one users file (people, devices), and Mosquitto's password and ACL
 * files made from it, so that the broker in production applies exactly the embedded broker's rules.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = {
      "Keeps the users file: people (operator, officer, manager) and devices, with their roles and scopes.",
      "The same file runs the embedded broker, the bridge's and the console's checks, and Mosquitto's files."
    },
    subcommands = {UsersCommand.Add.class, UsersCommand.Mosquitto.class})
final class UsersCommand implements Runnable {

  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Adds an account to FILE (created if missing), or gives an existing one a new role, scope and password.",
        "The password is read from the terminal, or from the first line of standard input with --password-stdin."
      })
  static final class Add implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the users file")
    Path file;

    @Parameters(
        index = "1",
        paramLabel = "USERNAME",
        description = "letters, digits, '.', '_', '-'; a device's is its device id")
    String username;

    @Parameters(
        index = "2",
        paramLabel = "ROLE",
        description = "operator, officer, manager or device")
    String role;

    @Parameters(
        index = "3",
        arity = "0..1",
        paramLabel = "SCOPE",
        description = "an officer's district code, a manager's community id")
    String scope;

    @Option(
        names = "--password-stdin",
        description = "read the password from standard input (for scripts)")
    boolean stdin;

    @Option(
        names = "--iterations",
        defaultValue = "" + UsersFile.ITERATIONS,
        description =
            "PBKDF2-SHA512 iterations (default ${DEFAULT-VALUE}, OWASP's; a device with a long random secret may use fewer)")
    int iterations;

    @Override
    public Integer call() throws IOException {
      if ("service".equals(role)) {
        System.err.println(
            "service accounts are the deployment's (deploy/kubernetes/secrets), not the users file's");
        return 2;
      }
      try {
        UsersFile.check(username, role, scope);
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      char[] password = stdin ? fromStdin() : fromTerminal();
      if (password == null) {
        return 2;
      }
      try {
        Account a = UsersFile.newAccount(username, role, scope, password, iterations);
        UsersFile.put(file, a);
        System.out.println(
            a.username()
                + " ("
                + a.role().id()
                + (a.scope().isEmpty() ? "" : " of " + a.scope())
                + ") is in "
                + file);
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 2;
      } finally {
        Arrays.fill(password, '\0');
      }
    }

    private static char[] fromStdin() throws IOException {
      String line =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        System.err.println("--password-stdin: standard input has no password");
        return null;
      }
      return line.toCharArray();
    }

    private static char[] fromTerminal() {
      java.io.Console console = System.console();
      if (console == null) {
        System.err.println("no terminal to read the password from: use --password-stdin");
        return null;
      }
      char[] first = console.readPassword("password for the account: ");
      char[] again = console.readPassword("again: ");
      if (first == null || first.length == 0 || !Arrays.equals(first, again)) {
        System.err.println("the two passwords differ (or are empty)");
        return null;
      }
      Arrays.fill(again, '\0');
      return first;
    }
  }

  @Command(
      name = "mosquitto",
      mixinStandardHelpOptions = true,
      description = {
        "Writes Mosquitto's password file (DIR/passwords) and ACL file (DIR/acl) for the people and devices of FILE:",
        "the listener of deploy/kubernetes/mqtt/mosquitto.yaml where a client's id is its user name."
      })
  static final class Mosquitto implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the users file")
    Path file;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "where passwords and acl are written")
    Path out;

    @Override
    public Integer call() throws IOException {
      Map<String, String> files = new LinkedHashMap<>();
      try {
        UsersFile users = UsersFile.load(file);
        files.put("passwords", users.mosquittoPasswords());
        files.put("acl", users.mosquittoAcl());
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      Files.createDirectories(out);
      // Both files are written beside their places first: a failure leaves the old pair, never one
      // new and one old.
      Map<Path, Path> staged = new LinkedHashMap<>();
      try {
        for (Map.Entry<String, String> f : files.entrySet()) {
          Path tmp =
              Files.createTempFile(
                  out,
                  "." + f.getKey(),
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")));
          staged.put(tmp, out.resolve(f.getKey()));
          Files.writeString(tmp, f.getValue(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<Path, Path> s : staged.entrySet()) {
          Files.move(
              s.getKey(),
              s.getValue(),
              StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        for (Path tmp : staged.keySet()) {
          Files.deleteIfExists(tmp);
        }
      }
      System.out.println(
          "wrote "
              + out.resolve("passwords")
              + " and "
              + out.resolve("acl")
              + " (mosquitto: password_file, acl_file)");
      return 0;
    }
  }
}
