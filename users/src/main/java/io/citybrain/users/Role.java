package io.citybrain.users;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an account is, and so what it may see and do. People (operator, officer, manager) log in to
 * the console and acknowledge alerts; devices publish readings; services are citybrain's own
 * processes.
 */
public enum Role {
  /** The operations centre: every alert of the city. */
  OPERATOR(true),
  /** A district officer: the alerts of one district (scope: its six-digit code). */
  OFFICER(true),
  /** A community manager: the alerts of one community (scope: its id). */
  MANAGER(true),
  /** A sensor or a community device: publishes its own readings only. */
  DEVICE(false),
  /** The bridge, alert dispatch, the console: citybrain's processes. */
  SERVICE(false);

  private final boolean person;

  Role(boolean person) {
    this.person = person;
  }

  /** The name in the users file and in the contract: lower case. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this role belongs to people, who handle alerts. */
  public boolean person() {
    return person;
  }

  /**
   * Whether an account of this role needs a scope: an officer's district, a manager's community.
   */
  public boolean scoped() {
    return this == OFFICER || this == MANAGER;
  }

  public static Optional<Role> of(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }

  static String names() {
    return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
  }

  /**
   * Whether an account of this role and scope may see and act on an alert of {@code district} and
   * {@code community} (null when the alert is in no community). The one rule, applied by the
   * console, the bridge and the emergency job alike.
   */
  public boolean covers(String scope, String district, String community) {
    return switch (this) {
      case OPERATOR -> true;
      case OFFICER -> scope != null && scope.equals(district);
      case MANAGER -> scope != null && scope.equals(community);
      case DEVICE, SERVICE -> false;
    };
  }
}
