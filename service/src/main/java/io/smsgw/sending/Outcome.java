package io.smsgw.sending;

import java.util.UUID;

/**
 * The end of one claim, as it is written to PostgreSQL (record_outcomes). {@code claimSeq} is the claim's fencing
 * token: a claim that is no longer current writes nothing. {@code doubt}: this attempt may have reached the provider.
 */
record Outcome(UUID messageId, UUID userId, int claimSeq, Kind kind, String providerMessageId, String error, long atMs,
               long delayMs, boolean doubt) {

  enum Kind {
    /** The provider took it. */
    SENT,
    /** A transient failure; due again after the delay. */
    RETRY,
    /** The claim ended without a send; due at once, the attempt not counted. */
    RELEASE,
    /** No more sends: due after the delay for a lookup that decides between sent and failed. */
    CONFIRM,
    /** Final, refunded: the provider definitely did not take it. */
    FAILED,
    REJECTED,
    /** Final failed with outcome_unknown, not refunded: the provider may have delivered it and cannot tell. */
    UNKNOWN;

    String dbName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean refunds() {
      return this == FAILED || this == REJECTED;
    }
  }

  static Outcome sent(MessageSender.Claim c, String providerId, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.SENT, providerId, null, atMs, 0, false);
  }

  static Outcome retry(MessageSender.Claim c, String error, long atMs, long delayMs, boolean doubt) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.RETRY, null, error, atMs, delayMs, doubt);
  }

  static Outcome release(MessageSender.Claim c, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.RELEASE, null, null, atMs, 0, false);
  }

  static Outcome confirm(MessageSender.Claim c, String error, long atMs, long delayMs, boolean doubt) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.CONFIRM, null, error, atMs, delayMs, doubt);
  }

  static Outcome finalFailure(MessageSender.Claim c, String status, String error, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), "rejected".equals(status) ? Kind.REJECTED : Kind.FAILED,
      null, error, atMs, 0, false);
  }

  static Outcome unknown(MessageSender.Claim c, String error, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.UNKNOWN, null, "outcome_unknown: " + error, atMs, 0, true);
  }
}
