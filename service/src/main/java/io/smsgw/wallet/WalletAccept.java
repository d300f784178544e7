package io.smsgw.wallet;

import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.outbox.OutboxAddresses;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.platform.eventbus.SmsMessageCodec;
import io.smsgw.wallet.async.ReservationTimeouts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * The wallet's one entry point for a new message: it decides the balance path and hands an accepted message on.
 * <ul>
 *   <li>sync: {@link WalletVerticle} stores, debits and writes the ledger in one PostgreSQL transaction; the row is the
 *   outbox, so the message is then handed to the Kafka publish (fire and forget: the outbox relay covers a failure);</li>
 *   <li>async (or a sync lane beside an async one with reservation, which must keep the Redis cache in step): the
 *   reservation verticle ({@code wallet.async}) answers once Redis holds the amount and Kafka acknowledged the message on
 *   sms.accepted; settlement charges PostgreSQL and publishes it to its lane.</li>
 * </ul>
 * One instance per caller (an HTTP verticle instance), used on the caller's event loop: {@code pending} bounds the
 * sends waiting for the wallet, so a flood is shed at once with {@link ChargeFailure#OVERLOADED} instead of queueing.
 */
public final class WalletAccept {

  private static final DeliveryOptions MESSAGE = new DeliveryOptions().setCodecName(SmsMessageCodec.NAME);

  private final Vertx vertx;
  private final BalanceModes modes;
  /** Longer than the wallet (or the reservation in front of it) can take to answer: see WalletVerticle.replyTimeoutMs. */
  private final DeliveryOptions charge;
  private final DeliveryOptions reserve;
  private final DeliveryOptions publish;
  private final int maxPending;
  private int pending;

  public WalletAccept(Vertx vertx, BalanceModes modes, long chargeReplyTimeoutMs, int maxPending) {
    this.vertx = vertx;
    this.modes = modes;
    this.maxPending = maxPending;
    // In the pod when it runs the wallet (or reservation, or producer) verticles; through the cluster when it does not
    // (an edge pod). A charge sent to another pod that dies before answering times out: outcome_unknown, never "not charged".
    this.charge = Bus.to(vertx, WalletAddresses.WALLET_CHARGE, MESSAGE).setSendTimeout(chargeReplyTimeoutMs);
    this.reserve = Bus.to(vertx, WalletAddresses.WALLET_RESERVE, MESSAGE).setSendTimeout(chargeReplyTimeoutMs + ReservationTimeouts.EXTRA_MS);
    this.publish = Bus.to(vertx, OutboxAddresses.KAFKA_PUBLISH, MESSAGE);
  }

  /**
   * ACCEPTED / RESERVED (charged or reserved: answer 200), DUPLICATE or INSUFFICIENT_BALANCE (nothing charged); a
   * failure is a {@link ChargeFailure} (overloaded, not charged, outcome unknown) or an event-bus timeout.
   */
  public Future<ChargeOutcome> accept(SmsMessage message) {
    if (pending >= maxPending) return Future.failedFuture(ChargeFailure.OVERLOADED.exception("too many sends waiting"));
    Priority lane = message.priority();
    boolean sync = modes.of(lane) == BalanceModes.Mode.SYNC && !modes.usesRedis();
    pending++;
    return vertx.eventBus().<ChargeOutcome>request(sync ? WalletAddresses.WALLET_CHARGE : WalletAddresses.WALLET_RESERVE, message,
        sync ? charge : reserve)
      .onComplete(done -> pending--)
      .map(reply -> {
        ChargeOutcome outcome = reply.body();
        // RESERVED: durable on sms.accepted already; settlement publishes it to its lane after the charge.
        // A scheduled message is stored out of the outbox: the worker's scheduler sends it when it is due.
        if (outcome.kind() == ChargeOutcome.Kind.ACCEPTED && !message.scheduled()) {
          vertx.eventBus().send(OutboxAddresses.KAFKA_PUBLISH, message, publish);
        }
        return outcome;
      });
  }
}
