package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.bulk.BulkAddresses;
import io.smsgw.bulk.BulkCharge;
import io.smsgw.bulk.BulkOutcome;
import io.smsgw.bulk.BulkRecipients;
import io.smsgw.bulk.BulkSlots;
import io.smsgw.config.BulkSettings;
import io.smsgw.config.SenderSettings;
import io.smsgw.domain.Pricing;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.ratelimit.RateLimiter;
import io.smsgw.wallet.BalanceModes;
import io.smsgw.wallet.ChargeFailure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * {@code POST /send-sms/bulk}: up to 10,000 recipients, each an ordinary message, charged all together or not at all.
 * <ol>
 *   <li>a slot of the pod's {@code bulk.max_in_flight} ({@link BulkSlots}), else {@code 503 overloaded} at once;</li>
 *   <li>off the event loop (a worker thread): the body decoded once and checked ({@link SendSmsBulkBody}), the key's
 *   own user ({@code 403}), the timing ({@link SendTiming}), each recipient checked and priced
 *   ({@link BulkRecipients});</li>
 *   <li>one token of the user's rate limit ({@code 429});</li>
 *   <li>the bulk verticle ({@code bulk.accept}): one transaction; then the answer, which a repeated bulk_id gets again.</li>
 * </ol>
 * Sync balance mode only: with a Redis reservation in play (or the bulk's lane async) the bulk is refused with
 * {@code 503 not_in_this_mode} (docs/api.md, "Bulk send").
 */
final class SendSmsBulkHandler implements Handler<RoutingContext> {

  static final String REPLAYED = "Idempotent-Replayed";

  private final Vertx vertx;
  private final Pricing pricing;
  private final BalanceModes modes;
  private final BulkSlots slots;
  private final SendTiming timing;
  private final RateLimiter limiter;
  private final DeliveryOptions charge;
  private final io.smsgw.bulk.BulkMetrics metrics = new io.smsgw.bulk.BulkMetrics();

  SendSmsBulkHandler(Vertx vertx, Pricing pricing, BalanceModes modes, BulkSettings settings, SenderSettings lanes) {
    this.vertx = vertx;
    this.pricing = pricing;
    this.modes = modes;
    this.slots = BulkSlots.of(vertx, settings.maxInFlight());
    this.timing = new SendTiming(lanes);
    this.limiter = RateLimiter.of(vertx);
    // Longer than the bulk verticle can take to answer (statement timeout + its watchdog): its answer, not a timeout.
    this.charge = new DeliveryOptions().setLocalOnly(true).setSendTimeout(settings.replyTimeoutMs());
  }

  /** A request refused before the charge, with its answer. */
  private static final class Refused extends Exception {
    final ApiError error;
    final JsonObject details;

    Refused(ApiError error, String message, JsonObject details) {
      super(message, null, false, false);
      this.error = error;
      this.details = details;
    }
  }

  @Override
  public void handle(RoutingContext rc) {
    if (modes.usesRedis() || !Bus.servedHere(vertx, BulkAddresses.BULK_STATUS)) {
      notInThisMode(rc);
      return;
    }
    if (!slots.tryTake()) {
      ApiError.OVERLOADED.retryAfter(rc, 1).send(rc, "too many bulks in flight on this gateway; nothing was charged. "
        + "Retry with the same bulk_id");
      return;
    }
    long started = System.nanoTime();
    UUID caller = ApiKeyAuthenticator.userOf(rc);
    Buffer raw = rc.body().buffer();
    long now = System.currentTimeMillis();
    vertx.<BulkCharge>executeBlocking(() -> prepare(raw, caller, now), false)
      .compose(bulk -> limiter.acquire(bulk.userId()).compose(retryAfter -> {
        if (retryAfter > 0) {
          ApiError.rateLimited(rc, retryAfter);
          return Future.<Void>succeededFuture();
        }
        return vertx.eventBus().<BulkOutcome>request(BulkAddresses.BULK_ACCEPT, bulk, charge)
          .map(reply -> {
            answer(rc, reply.body());
            return (Void) null;
          });
      }))
      .onComplete(done -> {
        slots.release();
        metrics.answered(started);
      })
      .onFailure(failure -> refuse(rc, failure));
  }

  /** On a worker thread: everything that costs per recipient, before any money is touched. */
  private BulkCharge prepare(Buffer raw, UUID caller, long now) throws Refused {
    SendSmsBulkBody.Parsed body;
    try {
      body = SendSmsBulkBody.parse(raw);
    } catch (SendSmsBulkBody.Invalid e) {
      throw new Refused(e.error, e.getMessage(), null);
    }
    if (!body.userId().equals(caller)) throw new Refused(ApiError.FORBIDDEN, "this API key may not send for that user", null);
    if (modes.of(body.priority()) != BalanceModes.Mode.SYNC) {
      throw new Refused(ApiError.NOT_IN_THIS_MODE, notInThisModeMessage(), null);
    }
    SendTiming.Timing when;
    try {
      when = timing.of(body.body(), body.priority(), now);
    } catch (SendTiming.InvalidSendAt e) {
      throw new Refused(ApiError.INVALID_SEND_AT, e.getMessage() + "; nothing was charged", null);
    }
    BulkCharge bulk = BulkRecipients.check(new BulkRecipients.Shared(body.bulkId(), body.userId(), body.priority(),
      body.defaultText(), now, when.expiresAtMs(), when.sendAtMs()), body.recipients(), pricing);
    if (bulk.messages().isEmpty()) {
      throw new Refused(ApiError.NO_VALID_RECIPIENTS, "no recipient can be sent; nothing was stored or charged",
        new JsonObject().put("rejected_items", bulk.rejected()));
    }
    return bulk;
  }

  private static void answer(RoutingContext rc, BulkOutcome outcome) {
    switch (outcome.kind()) {
      case ACCEPTED -> rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(outcome.answer());
      case REPLAY -> rc.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .putHeader(REPLAYED, "true").end(outcome.answer());
      // Nothing about the bulk that holds it: a bulk_id says nothing about other users.
      case DUPLICATE_BULK_ID -> ApiError.DUPLICATE_BULK_ID.send(rc, "bulk_id is taken; choose another; nothing was charged");
      case INSUFFICIENT_BALANCE -> ApiError.INSUFFICIENT_BALANCE.send(rc, "the wallet cannot pay " + outcome.total()
          + " for the bulk; nothing was stored or charged (top up, then send the same bulk_id again)",
        new JsonObject().put("cost", outcome.total()).put("balance", outcome.balance()));
      case NO_VALID_RECIPIENTS -> ApiError.NO_VALID_RECIPIENTS.send(rc, "no recipient can be sent; nothing was stored or charged",
        new JsonObject().put("rejected_items", new JsonArray(outcome.answer())));
    }
  }

  private static void refuse(RoutingContext rc, Throwable failure) {
    if (failure instanceof Refused r) {
      r.error.send(rc, r.getMessage(), r.details);
      return;
    }
    switch (ChargeFailure.of(failure)) {
      case OVERLOADED -> ApiError.OVERLOADED.retryAfter(rc, 1).send(rc, "the gateway is overloaded; nothing was charged. "
        + "Retry with the same bulk_id");
      case NOT_CHARGED -> ApiError.UNAVAILABLE.retryAfter(rc, 1).send(rc, failure.getMessage() != null
        && failure.getMessage().startsWith("not charged") ? failure.getMessage()
        : "not charged: the service cannot reach its storage right now; retry with the same bulk_id");
      case REFUSED -> ApiError.INVALID_REQUEST.send(rc, failure.getMessage());
      case OUTCOME_UNKNOWN -> ApiError.OUTCOME_UNKNOWN.send(rc, "the bulk may or may not have been charged; retry with the "
        + "same bulk_id: a 200 with Idempotent-Replayed: true means it was (that is its first answer), a 200 without "
        + "means it was not and now is");
    }
  }

  private static void notInThisMode(RoutingContext rc) {
    ApiError.NOT_IN_THIS_MODE.send(rc, notInThisModeMessage());
  }

  private static String notInThisModeMessage() {
    return "bulk send needs the sync balance mode (PostgreSQL decides) on this gateway and the bulk's lane; nothing was "
      + "charged. Send the messages one by one with POST /send-sms";
  }
}
