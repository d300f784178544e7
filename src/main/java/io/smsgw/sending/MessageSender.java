package io.smsgw.sending;

import io.smsgw.provider.ProviderResult;
import io.smsgw.provider.SmsProvider;
import io.smsgw.sms.SmsMessage;
import io.vertx.core.Future;

/**
 * One attempt at one claimed message: provider call, then the outcome (sent / retry later / failed or
 * rejected with refund) handed to the status writer. Completes when the outcome is stored.
 */
final class MessageSender {

  private final SmsProvider provider;
  private final RetryPolicy policy;
  private final StatusWriter writer;

  MessageSender(SmsProvider provider, RetryPolicy policy, StatusWriter writer) {
    this.provider = provider;
    this.policy = policy;
    this.writer = writer;
  }

  /** {@code attempt}: the number of this attempt (1 for the first), as counted when the message was claimed. */
  Future<Void> send(SmsMessage message, int attempt) {
    if (policy.pastDeadline(message.acceptedAtMillis(), System.currentTimeMillis())) {
      return giveUp(message, attempt - 1, "deadline of " + policy.deadlineMs() + " ms passed");
    }
    return provider.send(message).compose(result -> afterAttempt(message, attempt, result));
  }

  private Future<Void> afterAttempt(SmsMessage m, int attempt, ProviderResult result) {
    long now = System.currentTimeMillis();
    if (result instanceof ProviderResult.Accepted accepted) {
      return writer.write(Outcome.sent(m.messageId(), m.userId(), accepted.providerMessageId(), now));
    }
    if (result instanceof ProviderResult.Permanent permanent) {
      return writer.write(Outcome.finalFailure(m.messageId(), m.userId(), permanent.status(), permanent.reason(), now));
    }
    String reason = ((ProviderResult.Transient) result).reason();
    long delay = policy.delayMs(attempt);
    if (policy.mayRetry(attempt, delay, m.acceptedAtMillis(), now)) {
      return writer.write(Outcome.retry(m.messageId(), m.userId(), reason, now, delay));
    }
    return giveUp(m, attempt, "gave up after " + attempt + " attempt(s): " + reason);
  }

  /**
   * The end of the retries. If any attempt was made, it may have got through although its answer was lost (a
   * timeout), so the provider is asked first: a message it holds is {@code sent}, not refunded. Only a message
   * it never got is {@code failed} and refunded. If it cannot say, ask again later.
   */
  private Future<Void> giveUp(SmsMessage m, int attemptsMade, String why) {
    if (attemptsMade == 0) {
      return writer.write(Outcome.finalFailure(m.messageId(), m.userId(), "failed", why, System.currentTimeMillis()));
    }
    return provider.lookup(m).compose(
      held -> writer.write(held.isPresent()
        ? Outcome.sent(m.messageId(), m.userId(), held.get(), System.currentTimeMillis())
        : Outcome.finalFailure(m.messageId(), m.userId(), "failed", why, System.currentTimeMillis())),
      unknown -> writer.write(Outcome.retry(m.messageId(), m.userId(),
        why + "; provider could not confirm (" + unknown.getMessage() + ")", System.currentTimeMillis(), policy.maxMs())));
  }
}
