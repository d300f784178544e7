package io.smsgw.sending;

import java.util.UUID;

/** The result of one send attempt, as it is written to PostgreSQL. */
record Outcome(UUID messageId, UUID userId, Kind kind, String providerMessageId, String error, long atMs, long retryDelayMs) {

  enum Kind {
    SENT, RETRY, FAILED, REJECTED;

    String dbName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static Outcome sent(UUID id, UUID user, String providerId, long atMs) {
    return new Outcome(id, user, Kind.SENT, providerId, null, atMs, 0);
  }

  static Outcome retry(UUID id, UUID user, String error, long atMs, long delayMs) {
    return new Outcome(id, user, Kind.RETRY, null, error, atMs, delayMs);
  }

  static Outcome finalFailure(UUID id, UUID user, String status, String error, long atMs) {
    return new Outcome(id, user, "rejected".equals(status) ? Kind.REJECTED : Kind.FAILED, null, error, atMs, 0);
  }
}
