package io.citybrain.users;

/**
 * One line of the users file: the hash, never the password.
 *
 * @param scope an officer's district code, a manager's community id; empty for the other roles
 */
public record Account(String username, Role role, String scope, String hash) {

  /** Whether this account may see and act on an alert of {@code district} and {@code community}. */
  public boolean covers(String district, String community) {
    return role.covers(scope, district, community);
  }

  /** Its line in the users file. */
  public String line() {
    return username + "," + role.id() + "," + scope + "," + hash;
  }
}
