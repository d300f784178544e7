package io.smsgw.api.errors;

import io.smsgw.wallet.ChargeFailure;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The error codes the API answers. Their one source is the catalogue table in the contract
 * ({@code info.description} of openapi/openapi.yaml): ErrorCatalogueTest fails when this enum and that table differ
 * in a code or a status. Every non-2xx answer is {@code {"error": {"code", "message", "details"?}}}; clients branch
 * on the code, which never changes.
 */
public enum ApiError {
  INVALID_REQUEST(400),
  INVALID_JSON(400),
  INVALID_PHONE_NUMBER(400),
  EMPTY_MESSAGE(400),
  MESSAGE_TOO_LONG(400),
  INVALID_MESSAGE_TEXT(400),
  INVALID_CALLBACK_URL(400),
  CALLBACK_URL_NOT_ALLOWED(400),
  WEBHOOK_NOT_CONFIGURED(400),
  INVALID_SEND_AT(400),
  UNAUTHORIZED(401),
  // 400, not 402 / 409: the seed's API documents 400 for these, and clients written against it check for 400.
  INSUFFICIENT_BALANCE(400),
  FORBIDDEN(403),
  NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  DUPLICATE_MESSAGE_ID(400),
  DUPLICATE_BULK_ID(400),
  NO_VALID_RECIPIENTS(400),
  TOO_MANY_RECIPIENTS(400),
  DUPLICATE_TOPUP_ID(409),
  NOT_CANCELABLE(409),
  REQUEST_TIMEOUT(408),
  PAYLOAD_TOO_LARGE(413),
  URI_TOO_LONG(414),
  UNSUPPORTED_MEDIA_TYPE(415),
  HEADERS_TOO_LARGE(431),
  RATE_LIMITED(429),
  INTERNAL_ERROR(500),
  UNAVAILABLE(503),
  OVERLOADED(503),
  OUTCOME_UNKNOWN(503),
  NOT_IN_THIS_MODE(503);

  public final int status;

  ApiError(int status) {
    this.status = status;
  }

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public void send(RoutingContext rc, String message) {
    send(rc, message, null);
  }

  public void send(RoutingContext rc, String message, JsonObject details) {
    if (rc.response().headWritten()) return;
    rc.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(body(message, details));
  }

  /**
   * For answers written before any router (a malformed or too slow request): the same envelope, then the connection
   * is closed, since what follows on it cannot be trusted.
   */
  public void sendAndClose(io.vertx.core.http.HttpServerRequest request, String message) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
      .end(body(message, null)).onComplete(done -> request.connection().close());
  }

  private io.vertx.core.buffer.Buffer body(String message, JsonObject details) {
    JsonObject error = new JsonObject().put("code", code()).put("message", message);
    if (details != null) error.put("details", details);
    return new JsonObject().put("error", error).toBuffer();
  }


  /**
   * A charge that ended without an outcome, answered as truthfully as the wallet could tell
   * ({@link ChargeFailure}): not charged (503 unavailable / overloaded, with Retry-After), refused by the database
   * (400), or unknown (503 outcome_unknown: a retry with the same message_id tells which).
   */
  public static void sendChargeFailure(RoutingContext rc, Throwable failure) {
    String why = failure.getMessage();
    switch (ChargeFailure.of(failure)) {
      case OVERLOADED -> OVERLOADED.retryAfter(rc, 1).send(rc, "the gateway is overloaded; nothing was charged. Retry with the same message_id");
      case NOT_CHARGED -> UNAVAILABLE.retryAfter(rc, 1).send(rc, why != null && why.startsWith("not charged") ? why
        : "not charged: the service cannot reach its storage right now; retry with the same message_id");
      case REFUSED -> INVALID_REQUEST.send(rc, why);
      case OUTCOME_UNKNOWN -> OUTCOME_UNKNOWN.send(rc, "the charge may or may not have been made; retry with the same "
        + "message_id: 200 means it was not and is now, duplicate_message_id (with details.status) means it was");
    }
  }

  public ApiError retryAfter(RoutingContext rc, long seconds) {
    if (!rc.response().headWritten()) rc.response().putHeader("Retry-After", String.valueOf(seconds));
    return this;
  }

  /** 429: the user's rate limit is used up; {@code Retry-After} in whole seconds (≥ 1). */
  public static void rateLimited(RoutingContext rc, long retryAfterSeconds) {
    RATE_LIMITED.retryAfter(rc, retryAfterSeconds).send(rc, "the user's rate limit is used up; retry after " + retryAfterSeconds + " s; nothing was charged");
  }

  /** A failed event-bus request: the verticles reply 404 / 503; no answer in time is 503 too. */
  public static void sendFailure(RoutingContext rc, Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureCode() == 404) {
      NOT_FOUND.send(rc, reply.getMessage());
    } else {
      UNAVAILABLE.send(rc, "the service cannot reach its storage right now; retry with the same message_id");
    }
  }
}
