package io.smsgw.provider.smpp;

/**
 * What became of one submit_sm. Only {@link Accepted} and {@link Unknown} may have reached the handset; the others are
 * definite "not taken" (the SMSC said so, or nothing was written), so only they may be refunded or failed over.
 */
public sealed interface SubmitOutcome {

  /** submit_sm_resp with status 0: the SMSC's id for this part, which its receipts will name. */
  record Accepted(String smscMessageId) implements SubmitOutcome {
  }

  /** A negative submit_sm_resp that will not change on a resend (a bad number, a rejection). */
  record Refused(int commandStatus, String status) implements SubmitOutcome {
  }

  /** A negative submit_sm_resp that may change later (throttled, queue full, a system error): resend later. */
  record Later(int commandStatus) implements SubmitOutcome {
  }

  /** Written, but no answer in time or the connection broke after it: the SMSC may hold it. Never refunded on a guess. */
  record Unknown(String reason) implements SubmitOutcome {
  }

  /** Never written: the bind was not up. */
  record NotSent(String reason) implements SubmitOutcome {
  }
}
