package io.smsgw.api;

import io.smsgw.outbox.OutboxAddresses;
import io.smsgw.wallet.WalletAddresses;

import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.api.errors.ApiError;

import io.smsgw.ratelimit.RateLimiter;
import io.smsgw.wallet.BalanceModes;
import io.smsgw.wallet.async.ReservationTimeouts;
import io.smsgw.domain.Priority;
import io.smsgw.domain.Segments;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.eventbus.SmsMessageCodec;
import io.smsgw.wallet.ChargeFailure;
import io.smsgw.wallet.ChargeOutcome;
import io.smsgw.domain.Pricing;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * {@code POST /send-sms}: price the text, charge the wallet (message row + debit + ledger, one transaction),
 * hand the message to Kafka, answer 200. The 200 is given once PostgreSQL committed: the row is the outbox,
 * so the message is never lost even if the publish that follows fails. In async balance mode the 200 is given
 * once the Redis reservation holds and Kafka acknowledged the message on sms.accepted (io.smsgw.reservation).
 */
final class SendSmsHandler implements Handler<RoutingContext> {

  private static final DeliveryOptions MESSAGE = new DeliveryOptions(Requests.LOCAL).setCodecName(SmsMessageCodec.NAME);

  private final Vertx vertx;
  private final Pricing pricing;
  private final BalanceModes modes;
  /** Longer than the wallet (or the reservation in front of it) can take to answer: see WalletVerticle.replyTimeoutMs. */
  private final DeliveryOptions charge;
  private final DeliveryOptions reserve;
  /** Sends of this HTTP verticle waiting for the wallet: bounded in every balance mode, so a flood is shed here at once. */
  private final int maxPending;
  private int pending;
  private final RateLimiter limiter;

  SendSmsHandler(Vertx vertx, Pricing pricing, BalanceModes modes, long chargeReplyTimeoutMs, int maxPending) {
    this.maxPending = maxPending;
    this.vertx = vertx;
    this.pricing = pricing;
    this.modes = modes;
    this.charge = new DeliveryOptions(MESSAGE).setSendTimeout(chargeReplyTimeoutMs);
    this.reserve = new DeliveryOptions(MESSAGE).setSendTimeout(chargeReplyTimeoutMs + ReservationTimeouts.EXTRA_MS);
    this.limiter = RateLimiter.of(vertx);
  }

  @Override
  public void handle(RoutingContext rc) {
    JsonObject body = rc.get(SendSmsBodyValidator.BODY);
    UUID userId = Uuids.parse(body.getString("user_id"));
    if (!userId.equals(ApiKeyAuthenticator.userOf(rc))) {
      ApiError.FORBIDDEN.send(rc, "this API key may not send for that user");
      return;
    }
    String text = body.getString("message");
    Segments segments = Segments.of(text);
    if (segments.count() == 0) {
      ApiError.EMPTY_MESSAGE.send(rc, "message is empty");
      return;
    }
    if (segments.count() > Segments.MAX) {
      ApiError.MESSAGE_TOO_LONG.send(rc, "message needs " + segments.count() + " segments; at most " + Segments.MAX + " are accepted");
      return;
    }
    Priority priority = Priority.fromWire(body.getString("priority"));
    SmsMessage message = new SmsMessage(
      Uuids.parse(body.getString("message_id")), userId, body.getString("phone_number"), text, priority,
      segments.encoding(), segments.count(), pricing.cost(priority, segments.count()), System.currentTimeMillis());
    // Per-user rate limit (io.smsgw.ratelimit), after validation and before the charge: a 429 charges and stores nothing.
    limiter.acquire(userId).onSuccess(retryAfter -> {
      if (retryAfter > 0) ApiError.rateLimited(rc, retryAfter); else charge(rc, message, priority);
    });
  }

  private void charge(RoutingContext rc, SmsMessage message, Priority priority) {
    // sync: PostgreSQL decides now. async (or a sync lane beside an async one with reservation): see io.smsgw.reservation.
    boolean sync = modes.of(priority) == BalanceModes.Mode.SYNC && !modes.usesRedis();
    if (pending >= maxPending) {
      ApiError.sendChargeFailure(rc, ChargeFailure.OVERLOADED.exception("too many sends waiting"));
      return;
    }
    pending++;
    vertx.eventBus().<ChargeOutcome>request(sync ? WalletAddresses.WALLET_CHARGE : WalletAddresses.WALLET_RESERVE, message, sync ? charge : reserve)
      .onComplete(done -> pending--)
      .onComplete(reply -> answer(rc, message, reply.body()), failure -> ApiError.sendChargeFailure(rc, failure));
  }

  private void answer(RoutingContext rc, SmsMessage message, ChargeOutcome outcome) {
    switch (outcome.kind()) {
      case ACCEPTED, RESERVED -> {
        // RESERVED: durable on sms.accepted; settlement charges it and publishes it to its lane.
        if (outcome.kind() == ChargeOutcome.Kind.ACCEPTED) vertx.eventBus().send(OutboxAddresses.KAFKA_PUBLISH, message, MESSAGE);
        Requests.json(rc, 200, new JsonObject()
          .put("status", "pending")
          .put("message_id", message.messageId().toString())
          .put("segments", message.segments())
          .put("encoding", message.encoding().name())
          .put("cost", message.cost()));
      }
      case DUPLICATE -> {
        // The existing message's status, only to its owner: a message id says nothing about other users.
        JsonObject details = message.userId().equals(outcome.existingOwner())
          ? new JsonObject().put("message_id", message.messageId().toString()).put("status", outcome.existingStatus())
          : null;
        ApiError.DUPLICATE_MESSAGE_ID.send(rc, "message_id was used before; nothing was charged", details);
      }
      case INSUFFICIENT_BALANCE -> ApiError.INSUFFICIENT_BALANCE.send(rc,
        "the wallet cannot pay " + message.cost() + " for " + message.segments() + " segment(s); nothing was charged");
    }
  }
}
