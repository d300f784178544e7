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
      return writer.write(Outcome.finalFailure(message.messageId(), message.userId(), "failed",
        "deadline of " + policy.deadlineMs() + " ms passed before sending", System.currentTimeMillis()));
    }
    return provider.send(message).compose(result -> writer.write(outcome(message, attempt, result)));
  }

  private Outcome outcome(SmsMessage m, int attempt, ProviderResult result) {
    long now = System.currentTimeMillis();
    if (result instanceof ProviderResult.Accepted accepted) {
      return Outcome.sent(m.messageId(), m.userId(), accepted.providerMessageId(), now);
    }
    if (result instanceof ProviderResult.Permanent permanent) {
      return Outcome.finalFailure(m.messageId(), m.userId(), permanent.status(), permanent.reason(), now);
    }
    String reason = ((ProviderResult.Transient) result).reason();
    long delay = policy.delayMs(attempt);
    return policy.mayRetry(attempt, delay, m.acceptedAtMillis(), now)
      ? Outcome.retry(m.messageId(), m.userId(), reason, now, delay)
      : Outcome.finalFailure(m.messageId(), m.userId(), "failed", "gave up after " + attempt + " attempt(s): " + reason, now);
  }
}
