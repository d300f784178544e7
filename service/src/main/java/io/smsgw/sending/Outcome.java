package io.smsgw.sending;

import java.util.UUID;

/**
 * The end of one claim, as it is written to PostgreSQL (record_outcomes). {@code claimSeq} is the claim's fencing
 * token: a claim that is no longer current writes nothing. {@code doubt}: this attempt may have reached the provider.
 * {@code provider}: the id of the provider (routing.providers) that answered, or null when none was reached; a doubt
 * pins the message to it.
 */
record Outcome(UUID messageId, UUID userId, int claimSeq, Kind kind, String providerMessageId, String error, long atMs,
               long delayMs, boolean doubt, String provider) {

  enum Kind {
    /** The provider took it. */
    SENT,
    /** A transient failure; due again after the delay. */
    RETRY,
    /** The claim ended without a send; due after its delay (0: at once), the attempt not counted. */
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

  static Outcome sent(MessageSender.Claim c, String provider, String providerMessageId, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.SENT, providerMessageId, null, atMs, 0, false, provider);
  }

  static Outcome retry(MessageSender.Claim c, String provider, String error, long atMs, long delayMs, boolean doubt) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.RETRY, null, error, atMs, delayMs, doubt, provider);
  }

  static Outcome release(MessageSender.Claim c, long atMs) {
    return release(c, atMs, 0);
  }

  /** Given back unsent, due again after {@code delayMs}, the attempt not counted. */
  static Outcome release(MessageSender.Claim c, long atMs, long delayMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.RELEASE, null, null, atMs, delayMs, false, null);
  }

  static Outcome confirm(MessageSender.Claim c, String provider, String error, long atMs, long delayMs, boolean doubt) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.CONFIRM, null, error, atMs, delayMs, doubt, provider);
  }

  static Outcome finalFailure(MessageSender.Claim c, String provider, String status, String error, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), "rejected".equals(status) ? Kind.REJECTED : Kind.FAILED,
      null, error, atMs, 0, false, provider);
  }

  static Outcome unknown(MessageSender.Claim c, String provider, String error, long atMs) {
    return new Outcome(c.message().messageId(), c.message().userId(), c.seq(), Kind.UNKNOWN, null, "outcome_unknown: " + error, atMs, 0,
      true, provider);
  }
}
