package io.smsgw.sending;

import io.smsgw.provider.ProviderResult;
import io.smsgw.provider.SmsProvider;
import io.smsgw.sms.SmsMessage;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One attempt at each claimed message: provider call, then the outcome (sent / retry later / failed or
 * rejected with refund) handed to the status writer. Completes when the outcome is stored.
 */
final class MessageSender {

  private final SmsProvider provider;
  private final RetryPolicy policy;
  private final StatusWriter writer;
  private final int batchSize;
  private final SenderMetrics metrics;
  private final Consumer<UUID> afterRefund;

  /** {@code afterRefund}: told the wallet's user once a failed or rejected outcome (and its refund) is committed. */
  MessageSender(SmsProvider provider, RetryPolicy policy, StatusWriter writer, int batchSize, SenderMetrics metrics,
                Consumer<UUID> afterRefund) {
    this.provider = provider;
    this.batchSize = batchSize;
    this.policy = policy;
    this.writer = writer;
    this.metrics = metrics;
    this.afterRefund = afterRefund;
  }

  /** A claimed message and the number of this attempt (1 for the first), as counted when it was claimed. */
  record Claim(SmsMessage message, int attempt) {
  }

  /**
   * One attempt at each claimed message, in provider batches of at most {@code batchSize}. Completes when every
   * outcome is stored.
   */
  Future<Void> send(List<Claim> claims) {
    long now = System.currentTimeMillis();
    List<Future<Void>> done = new ArrayList<>();
    List<Claim> due = new ArrayList<>(claims.size());
    for (Claim c : claims) {
      if (policy.pastDeadline(c.message().acceptedAtMillis(), now)) {
        done.add(giveUp(c.message(), c.attempt() - 1, "deadline of " + policy.deadlineMs() + " ms passed"));
      } else {
        due.add(c);
      }
    }
    for (int from = 0; from < due.size(); from += batchSize) {
      List<Claim> chunk = due.subList(from, Math.min(due.size(), from + batchSize));
      long started = System.nanoTime();
      done.add(provider.send(chunk.stream().map(Claim::message).toList()).compose(results -> {
        metrics.providerAnswered(started);
        List<Future<Void>> stored = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) stored.add(afterAttempt(chunk.get(i).message(), chunk.get(i).attempt(), results.get(i)));
        return Future.join(stored).mapEmpty();
      }));
    }
    // join, not all: when one part fails the batch is read again, but only after every part has finished.
    return Future.join(done).mapEmpty();
  }

  private Future<Void> afterAttempt(SmsMessage m, int attempt, ProviderResult result) {
    long now = System.currentTimeMillis();
    if (result instanceof ProviderResult.Accepted accepted) {
      return store(m, Outcome.sent(m.messageId(), m.userId(), accepted.providerMessageId(), now));
    }
    if (result instanceof ProviderResult.Permanent permanent) {
      return store(m, Outcome.finalFailure(m.messageId(), m.userId(), permanent.status(), permanent.reason(), now));
    }
    String reason = ((ProviderResult.Transient) result).reason();
    long delay = policy.delayMs(attempt);
    if (policy.mayRetry(attempt, delay, m.acceptedAtMillis(), now)) {
      return store(m, Outcome.retry(m.messageId(), m.userId(), reason, now, delay));
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
      return store(m, Outcome.finalFailure(m.messageId(), m.userId(), "failed", why, System.currentTimeMillis()));
    }
    return provider.lookup(m).compose(
      held -> store(m, held.isPresent()
        ? Outcome.sent(m.messageId(), m.userId(), held.get(), System.currentTimeMillis())
        : Outcome.finalFailure(m.messageId(), m.userId(), "failed", why, System.currentTimeMillis())),
      unknown -> store(m, Outcome.retry(m.messageId(), m.userId(),
        why + "; provider could not confirm (" + unknown.getMessage() + ")", System.currentTimeMillis(), policy.maxMs())));
  }

  /** Hands the outcome to the status writer; once it is committed, counts it and reports a refund. */
  private Future<Void> store(SmsMessage m, Outcome outcome) {
    return writer.write(outcome).onSuccess(v -> {
      metrics.stored(m, outcome);
      if (outcome.kind() == Outcome.Kind.FAILED || outcome.kind() == Outcome.Kind.REJECTED) afterRefund.accept(m.userId());
    });
  }
}
