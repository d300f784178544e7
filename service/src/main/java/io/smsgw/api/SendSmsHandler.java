package io.smsgw.api;

import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.api.errors.ApiError;
import io.smsgw.config.SenderSettings;

import io.smsgw.ratelimit.RateLimiter;
import io.smsgw.wallet.BalanceModes;
import io.smsgw.wallet.WalletAccept;
import io.smsgw.domain.Priority;
import io.smsgw.domain.Segments;
import io.smsgw.domain.SmsMessage;
import io.smsgw.wallet.ChargeOutcome;
import io.smsgw.domain.Pricing;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.webhook.CallbackUrls;
import io.smsgw.webhook.WebhookAddresses;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.UUID;

/**
 * {@code POST /send-sms}: check the key may send for the user, price the text, apply the user's rate limit, and hand
 * the message to the wallet's one entry point ({@link WalletAccept}), which decides the balance path and passes an
 * accepted message on to the outbox; then answer. A 200 is given only once the message is durable: its PostgreSQL row
 * (sync) or its sms.accepted record behind a Redis reservation (async).
 */
final class SendSmsHandler implements Handler<RoutingContext> {

  private final Pricing pricing;
  private final WalletAccept wallet;
  private final RateLimiter limiter;
  private final AcceptMetrics metrics = new AcceptMetrics();

  private final Vertx vertx;
  private final CallbackUrls callbackUrls;
  private final DeliveryOptions webhookOptions;

  private final SendTiming timing;

  public SendSmsHandler(Vertx vertx, Pricing pricing, BalanceModes modes, long chargeReplyTimeoutMs, int maxPending,
                        CallbackUrls callbackUrls, SenderSettings lanes) {
    this.vertx = vertx;
    this.timing = new SendTiming(lanes);
    this.callbackUrls = callbackUrls;
    this.webhookOptions = Bus.to(vertx, WebhookAddresses.GET, Requests.LOCAL);
    this.pricing = pricing;
    this.wallet = new WalletAccept(vertx, modes, chargeReplyTimeoutMs, maxPending);
    this.limiter = RateLimiter.of(vertx);
  }

  @Override
  public void handle(RoutingContext rc) {
    long started = System.nanoTime();
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
    long now = System.currentTimeMillis();
    SendTiming.Timing when;
    try {
      when = timing.of(body, priority, now);
    } catch (SendTiming.InvalidSendAt e) {
      ApiError.INVALID_SEND_AT.send(rc, e.getMessage() + "; nothing was charged");
      return;
    }
    SmsMessage message = new SmsMessage(
      Uuids.parse(body.getString("message_id")), userId, body.getString("phone_number"), text, priority,
      segments.encoding(), segments.count(), pricing.cost(priority, segments.count()), now,
      body.getString("status_callback"), when.expiresAtMs(), when.sendAtMs());
    if (message.statusCallback() == null) {
      accept(rc, message, started);
      return;
    }
    // A status_callback: its URL must pass the rules, and the user must have a webhook secret to sign its events with.
    callbackUrls.check(message.statusCallback())
      .onFailure(refused -> WebhookHandler.refuse(rc, refused))
      .onSuccess(target -> vertx.eventBus().request(WebhookAddresses.GET, new JsonObject().put("user_id", userId.toString()), webhookOptions)
        .onComplete(webhook -> accept(rc, message, started), failure -> {
          if (failure instanceof ReplyException reply && reply.failureCode() == 404) {
            ApiError.WEBHOOK_NOT_CONFIGURED.send(rc, "status_callback needs a webhook secret to sign its events: register a "
              + "webhook first (PUT /webhook); nothing was charged");
          } else {
            ApiError.sendFailure(rc, failure);
          }
        }));
  }

  private void accept(RoutingContext rc, SmsMessage message, long started) {
    UUID userId = message.userId();
    // Per-user rate limit (io.smsgw.ratelimit), after validation and before the charge: a 429 charges and stores nothing.
    limiter.acquire(userId).onSuccess(retryAfter -> {
      if (retryAfter > 0) {
        ApiError.rateLimited(rc, retryAfter);
        return;
      }
      wallet.accept(message).onComplete(outcome -> answer(rc, message, outcome, started), failure -> ApiError.sendChargeFailure(rc, failure));
    });
  }

  private void answer(RoutingContext rc, SmsMessage message, ChargeOutcome outcome, long started) {
    switch (outcome.kind()) {
      case ACCEPTED, RESERVED -> {
        metrics.accepted(message.priority(), started);
        JsonObject answer = new JsonObject()
          .put("status", message.scheduled() ? "scheduled" : "pending")
          .put("message_id", message.messageId().toString())
          .put("segments", message.segments())
          .put("encoding", message.encoding().name())
          .put("cost", message.cost())
          .put("expires_at", Instant.ofEpochMilli(message.expiresAtMillis()).toString());
        if (message.scheduled()) answer.put("send_at", Instant.ofEpochMilli(message.sendAtMillis()).toString());
        Requests.json(rc, 200, answer);
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
