package io.smsgw.sending;

import io.smsgw.provider.LookupResult;
import io.smsgw.provider.ProviderResult;
import io.smsgw.provider.routing.ProviderRouter;
import io.smsgw.domain.SmsMessage;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One step for each claimed message: a send through its route's providers (ProviderRouter: a failover only after a
 * definite "not taken"; a message in doubt goes only to the provider it is pinned to), or, once its sends are over
 * and one of them may have got through, a lookup at that provider. The outcome (sent / retry later / confirm later / failed or rejected with refund /
 * unknown without refund) goes to the status writer, fenced by the claim's token. Completes when the outcomes are
 * stored (or known to be stale).
 */
final class MessageSender {

  /** last_error of a message whose validity ran out before it was sent: a stable code, shown to the customer. */
  static final String EXPIRED = "expired";

  /** How long a message that no provider of its route would take waits before it is claimed again. */
  private static final long NOT_ROUTED_WAIT_MS = 1_000;

  /** Room left for scheduling and the status write when deciding whether a send still fits in a claim. */
  private static final long CLAIM_SAFETY_MS = 1_000;

  private final ProviderRouter router;
  private final PinnedProviders pinned;
  private final RetryPolicy policy;
  private final StatusWriter writer;
  private final int batchSize;
  private final SenderMetrics metrics;
  private final Consumer<UUID> afterRefund;
  private final long claimMs;
  private final long providerTimeoutMs;
  private final long maxProcessingMs;

  /**
   * {@code afterRefund}: told the wallet's user once a failed or rejected outcome (and its refund) is committed.
   * {@code maxProcessingMs}: the provider's maximum processing time; a "not found" is believed only that long after
   * the last attempt.
   */
  MessageSender(ProviderRouter router, PinnedProviders pinned, RetryPolicy policy, StatusWriter writer, int batchSize,
                SenderMetrics metrics, Consumer<UUID> afterRefund, long claimMs, long providerTimeoutMs, long maxProcessingMs) {
    this.router = router;
    this.pinned = pinned;
    this.batchSize = batchSize;
    this.policy = policy;
    this.writer = writer;
    this.metrics = metrics;
    this.afterRefund = afterRefund;
    this.claimMs = claimMs;
    this.providerTimeoutMs = providerTimeoutMs;
    this.maxProcessingMs = maxProcessingMs;
  }

  /**
   * A claimed message: {@code attempt} is this claim's attempt number (1 for the first send), {@code seq} the claim's
   * fencing token, {@code confirming} whether the sends are over and this claim is for a lookup, {@code inDoubt}
   * whether an earlier attempt may have reached the provider unheard, {@code lastAttemptAtMs} when the last send began,
   * {@code expiresAtMs} the row's expires_at (0: a row from before it existed).
   */
  record Claim(SmsMessage message, int attempt, int seq, boolean confirming, boolean inDoubt, long lastAttemptAtMs,
               long expiresAtMs) {

    /** From a row of claim_messages / claim_due / claim_orphans / claim_scheduled. */
    static Claim of(SmsMessage message, Row row) {
      Long last = row.getLong("last_attempt_at_ms");
      Long expires = row.getLong("expires_at_ms");
      return new Claim(message, row.getInteger("attempts"), row.getInteger("claim_seq"), row.getBoolean("confirming"),
        row.getBoolean("send_in_doubt"), last == null ? 0 : last, expires == null ? 0 : expires);
    }
  }

  /**
   * One step for each claim, sends in provider batches of at most {@code batchSize}. {@code claimedAtNanos}: when
   * the claims were asked for ({@link System#nanoTime()}). Completes when every outcome is stored.
   */
  Future<Void> send(List<Claim> claims, long claimedAtNanos) {
    long now = System.currentTimeMillis();
    // The claims are ours for claim_ms from when we asked for them (PostgreSQL's clock started them later). A send
    // must be over, its timeout included, before then: otherwise another worker may take the message while our
    // request is still out. A worker that stalled (GC, a frozen VM, a slow database) gives them back unsent.
    long heldMs = (System.nanoTime() - claimedAtNanos) / 1_000_000;
    if (heldMs + providerTimeoutMs + CLAIM_SAFETY_MS > claimMs) {
      List<Future<Void>> done = new ArrayList<>();
      metrics.claimsDropped(claims.size());
      for (Claim c : claims) done.add(store(c, Outcome.release(c, now)));
      return Future.join(done).mapEmpty();
    }
    long deadlineMs = now - heldMs + claimMs - CLAIM_SAFETY_MS;
    return pinned.of(claims).compose(pins -> send(claims, pins, deadlineMs));
  }

  private Future<Void> send(List<Claim> claims, Map<UUID, String> pins, long deadlineMs) {
    long now = System.currentTimeMillis();
    List<Future<Void>> done = new ArrayList<>();
    List<Claim> due = new ArrayList<>(claims.size());
    for (Claim c : claims) {
      String pin = pins.get(c.message().messageId());
      if (c.confirming()) {
        done.add(confirm(c, pin));
      } else if (policy.expired(expiresAt(c), now)) {
        done.add(giveUp(c, c.inDoubt(), EXPIRED, pin));
      } else {
        due.add(c);
      }
    }
    for (List<Claim> chunk : requests(due, batchSize)) {
      long started = System.nanoTime();
      done.add(router.send(chunk.stream().map(Claim::message).toList(), pins, deadlineMs).compose(results -> {
        metrics.providerAnswered(started);
        List<Future<Void>> stored = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) stored.add(afterAttempt(chunk.get(i), results.get(i)));
        return Future.join(stored).mapEmpty();
      }));
    }
    // join, not all: when one part fails the batch is read again, but only after every part has finished.
    return Future.join(done).mapEmpty();
  }

  /**
   * The provider requests for these claims: a claim in doubt (an earlier attempt may have reached the provider
   * unanswered: a timeout, a lost answer) goes alone, the others in requests of up to {@code batchSize}. A message the
   * provider answers too late for every request it rides in would otherwise take each batch it joins down with it:
   * the other 49 timed out too, went in doubt, and were retried, each then poisoning its own next batch (the chaos
   * bench: 23% of all sends "perhaps taken", the breaker open, 922,023 sends given back unsent).
   */
  static List<List<Claim>> requests(List<Claim> due, int batchSize) {
    List<List<Claim>> out = new ArrayList<>();
    List<Claim> batch = new ArrayList<>(Math.min(due.size(), batchSize));
    for (Claim c : due) {
      if (c.inDoubt()) {
        out.add(List.of(c));
        continue;
      }
      batch.add(c);
      if (batch.size() == batchSize) {
        out.add(batch);
        batch = new ArrayList<>(batchSize);
      }
    }
    if (!batch.isEmpty()) out.add(batch);
    return out;
  }

  private Future<Void> afterAttempt(Claim c, ProviderRouter.Routed routed) {
    long now = System.currentTimeMillis();
    ProviderResult result = routed.result();
    String provider = routed.provider();
    if (!routed.tried()) {
      // Nothing went out (every provider of its route refuses work now: breakers open): wait, without spending an attempt,
      // until the first of those breakers lets trial requests through (at least NOT_ROUTED_WAIT_MS): a backlog waiting
      // out a breaker is claimed again when it may be sent, not released and claimed again every second meanwhile
      // (two row writes a message a second).
      metrics.notRouted();
      long wait = Math.max(NOT_ROUTED_WAIT_MS, Math.max(routed.waitMs(), policy.delayMs(c.attempt())));
      return store(c, Outcome.release(c, now, wait));
    }
    if (result instanceof ProviderResult.Accepted accepted) {
      return store(c, Outcome.sent(c, provider, accepted.providerMessageId(), now));
    }
    if (result instanceof ProviderResult.InDoubt doubt) {
      return giveUp(c, true, doubt.reason(), provider);
    }
    if (result instanceof ProviderResult.Permanent permanent) {
      // The provider's own verdict on this message: it will not deliver it, whatever an earlier attempt did.
      return store(c, Outcome.finalFailure(c, provider, permanent.status(), permanent.reason(), now));
    }
    ProviderResult.Transient failure = (ProviderResult.Transient) result;
    long delay = policy.delayMs(c.attempt());
    if (policy.mayRetry(c.attempt(), delay, expiresAt(c), now)) {
      return store(c, Outcome.retry(c, provider, failure.reason(), now, delay, failure.mayHaveBeenTaken()));
    }
    boolean doubt = c.inDoubt() || failure.mayHaveBeenTaken();
    if (c.attempt() < policy.maxAttempts()) return giveUp(c, doubt, EXPIRED, provider);  // the next attempt would start too late
    return giveUp(c, doubt, "gave up after " + c.attempt() + " attempt(s): " + failure.reason(), provider);
  }

  /**
   * The end of the sends. If the provider said of every attempt that it did not take it, the message failed and is
   * refunded. If one may have got through unheard, only the provider can say: it is asked once its maximum
   * processing time has passed since the last attempt (a "not found" before that is not a "never"). Without a
   * lookup nobody can say: failed with outcome_unknown, not refunded.
   */
  private Future<Void> giveUp(Claim c, boolean doubt, String why, String provider) {
    long now = System.currentTimeMillis();
    if (!doubt) return store(c, Outcome.finalFailure(c, provider, "failed", why, now));
    if (!router.offersLookup(c.message(), provider)) {
      return store(c, Outcome.unknown(c, provider, why + "; the provider has no lookup", now));
    }
    long lookupAt = c.lastAttemptAtMs() + maxProcessingMs;
    return store(c, Outcome.confirm(c, provider, why + "; asking the provider", now, Math.max(0, lookupAt - now), true));
  }

  /** A confirming claim: the sends are over and may have got through; the lookup of the provider it is pinned to decides. */
  private Future<Void> confirm(Claim c, String provider) {
    return router.lookup(c.message(), provider).compose(result -> {
      long now = System.currentTimeMillis();
      long processedBy = c.lastAttemptAtMs() + maxProcessingMs;
      if (result instanceof LookupResult.Found found) {
        return store(c, Outcome.sent(c, provider, found.providerMessageId(), now));
      }
      if (result instanceof LookupResult.NotFound) {
        if (now >= processedBy) {
          // Not sent: past its expiry that is the message's whole story, and the customer's error code.
          return store(c, Outcome.finalFailure(c, provider, "failed", policy.expired(expiresAt(c), now) ? EXPIRED
            : "not taken by the provider (not found " + maxProcessingMs + " ms after the last attempt)", now));
        }
        return store(c, Outcome.confirm(c, provider, "provider still within its processing time", now, processedBy - now, true));
      }
      if (result instanceof LookupResult.Unsupported unsupported) {
        return store(c, Outcome.unknown(c, provider, "the provider cannot be asked (" + unsupported.reason() + ")", now));
      }
      String reason = ((LookupResult.CannotSay) result).reason();
      long again = Math.min(policy.maxMs(), Math.max(policy.baseMs(), 1_000));
      if (now + again > policy.finalByMs(expiresAt(c))) {
        return store(c, Outcome.unknown(c, provider, "no lookup answered before the deadline (" + reason + ")", now));
      }
      return store(c, Outcome.confirm(c, provider, "lookup: " + reason, now, again, true));
    });
  }

  private long expiresAt(Claim c) {
    return policy.expiresAtMs(c.expiresAtMs(), c.message().acceptedAtMillis());
  }

  /** Hands the outcome to the status writer; once it is committed, counts it and reports a refund. */
  private Future<Void> store(Claim c, Outcome outcome) {
    SmsMessage m = c.message();
    return writer.write(outcome).map(applied -> {
      if (!applied) {
        // Our claim was no longer current (another worker took the message over): our outcome changed nothing.
        metrics.stale(outcome);
        return null;
      }
      metrics.stored(m, outcome);
      if (outcome.kind().refunds()) afterRefund.accept(m.userId());
      return null;
    });
  }
}
