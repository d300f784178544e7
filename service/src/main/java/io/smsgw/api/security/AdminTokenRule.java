package io.smsgw.api.security;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a production admin token must be: at least 32 characters and none of the well-known placeholders. Checked by
 * {@code smsgw gateway | all} before a pod with the gateway role starts; {@code smsgw dev} and the tests use their
 * own short tokens through other paths.
 */
public final class AdminTokenRule {

  public static final int MIN_LENGTH = 32;

  /** Placeholders and the dev/test tokens, compared without case and without separators. */
  private static final Set<String> KNOWN = Set.of("devadmintoken", "testadmintoken", "changeme", "changeit", "admin",
    "adminadmin", "password", "secret", "token", "admintoken", "smsgwadmintoken", "setsmsgwadmintoken", "default",
    "example", "xxxxxxxx", "replaceme", "todo");

  private AdminTokenRule() {
  }

  /** Why this token may not run a gateway, or empty when it may. */
  public static Optional<String> problem(String token) {
    String t = token == null ? "" : token.trim();
    if (t.isEmpty()) return Optional.of("admin.token (SMSGW_ADMIN_TOKEN) is not set");
    String folded = t.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (KNOWN.contains(folded) || isRepeatedKnown(folded)) return Optional.of("admin.token is a known default or placeholder");
    if (t.length() < MIN_LENGTH) return Optional.of("admin.token is " + t.length() + " characters long; it needs at least " + MIN_LENGTH);
    if (t.chars().distinct().count() < 8) return Optional.of("admin.token repeats too few characters to be random");
    return Optional.empty();
  }

  /** "changemechangemechangeme..." or "dev-admin-token-dev-admin-token..." pad a placeholder to the length. */
  private static boolean isRepeatedKnown(String folded) {
    for (String known : KNOWN) {
      if (folded.length() >= known.length() * 2 && folded.replace(known, "").isEmpty()) return true;
    }
    return false;
  }
}
