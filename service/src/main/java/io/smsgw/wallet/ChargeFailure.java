package io.smsgw.wallet;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Why a charge did not answer with an outcome, as the event-bus failure code of the wallet's reply. Each one says
 * what the client may believe: only {@link #OUTCOME_UNKNOWN} leaves open whether the message was charged.
 */
public enum ChargeFailure {
  /** Not charged, and it never will be: storage could not take it in time (the item's deadline passed, PostgreSQL down). */
  NOT_CHARGED(503),
  /** Not charged: the accept queue is full; refused at once. */
  OVERLOADED(529),
  /** PostgreSQL refused this message's data (alone, after the batch was split); nothing stored. */
  REFUSED(422),
  /** The transaction was sent and no answer came back (connection lost, no reply in time): committed or not. */
  OUTCOME_UNKNOWN(520);

  public final int code;

  ChargeFailure(int code) {
    this.code = code;
  }

  /** A failure carrying its kind, so it survives being handed from the batcher to the verticle that replies. */
  public static final class Exception extends RuntimeException {
    public final ChargeFailure kind;

    public Exception(ChargeFailure kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }
  }

  public Exception exception(String message) {
    return new Exception(this, message);
  }

  /** Answers a wallet request with this failure (anything that is not a ChargeFailure says: not charged). */
  public static void reply(Message<?> request, Throwable failure) {
    ChargeFailure kind = of(failure);
    request.fail(kind.code, failure.getMessage() == null ? kind.name() : failure.getMessage());
  }

  /**
   * What a failed wallet request means for the caller. A reply that never came (timeout) is unknown: the wallet
   * answers within its own deadlines, so only a lost reply ends here, and the charge may have been made.
   */
  public static ChargeFailure of(Throwable failure) {
    if (failure instanceof Exception e) return e.kind;
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) return OUTCOME_UNKNOWN;
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        for (ChargeFailure kind : values()) if (kind.code == reply.failureCode()) return kind;
      }
    }
    return NOT_CHARGED;
  }
}
