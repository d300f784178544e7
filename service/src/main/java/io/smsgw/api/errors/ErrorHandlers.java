package io.smsgw.api.errors;

import io.smsgw.api.security.ApiKeyAuthenticator;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure the router sees into a JSON error from the catalogue: validation failures from the
 * contract, auth failures, unknown routes, oversized bodies. Never HTML, never a stack trace.
 * Registered on the top-level router (sub-router error handlers are ignored in Vert.x 5.0.7).
 */
public final class ErrorHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandlers.class);

  private ErrorHandlers() {
  }

  public static void register(Router router) {
    router.errorHandler(400, ErrorHandlers::badRequest);
    router.errorHandler(401, ErrorHandlers::unauthorized);
    router.errorHandler(403, rc -> ApiError.FORBIDDEN.send(rc, "this API key may not act for that user"));
    router.errorHandler(404, rc -> ApiError.NOT_FOUND.send(rc, "no such resource"));
    router.errorHandler(405, rc -> ApiError.METHOD_NOT_ALLOWED.send(rc, "method not allowed on this path"));
    router.errorHandler(413, rc -> ApiError.PAYLOAD_TOO_LARGE.send(rc, "the request body exceeds the limit"));
    router.errorHandler(415, rc -> ApiError.UNSUPPORTED_MEDIA_TYPE.send(rc, "send the body as application/json"));
    router.errorHandler(500, ErrorHandlers::internal);
    router.errorHandler(503, rc -> ApiError.UNAVAILABLE.send(rc, "service unavailable"));
  }

  /**
   * A request the HTTP decoder refused (bad request line or header, URI or headers too long): before any router, so
   * Vert.x would answer a bare 400 / 414 / 431. The same statuses here, as catalogue JSON, and the connection closes.
   */
  public static void invalidHttp(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiError error = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? ApiError.URI_TOO_LONG
      : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? ApiError.HEADERS_TOO_LARGE
      : ApiError.INVALID_REQUEST;
    String message = error == ApiError.INVALID_REQUEST ? "malformed HTTP request" : "the request line or headers exceed the limit";
    error.sendAndClose(request, message);
  }

  private static void badRequest(RoutingContext rc) {
    Throwable cause = unwrap(rc.failure());
    if (cause != null && isJsonDecodeFailure(cause)) {
      ApiError.INVALID_JSON.send(rc, "the body is not valid JSON");
    } else if (cause instanceof SchemaValidationException schema) {
      badField(rc, schema);
    } else if (cause instanceof ValidatorException validator) {
      ApiError.INVALID_REQUEST.send(rc, validator.getMessage());
    } else {
      ApiError.INVALID_REQUEST.send(rc, cause == null ? "bad request" : cause.getMessage());
    }
  }

  private static void badField(RoutingContext rc, SchemaValidationException e) {
    invalidBody(rc, e.getOutputUnit(), e.getMessage());
  }

  /** A schema failure names the field (instance location) and the rule (keyword location) that failed. */
  public static void invalidBody(RoutingContext rc, OutputUnit result, String fallbackMessage) {
    OutputUnit unit = deepest(result);
    String field = unit == null || unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
    if (field.endsWith("/phone_number")) {
      ApiError.INVALID_PHONE_NUMBER.send(rc, "phone_number must be E.164: '+' and 8 to 15 digits");
    } else if (field.endsWith("/message") && messageText(rc) instanceof String text) {
      if (text.isEmpty()) {
        ApiError.EMPTY_MESSAGE.send(rc, "message is empty");
      } else {
        ApiError.MESSAGE_TOO_LONG.send(rc, "message is longer than 10 segments");
      }
    } else if (field.isEmpty() || field.equals("#")) {
      ApiError.INVALID_REQUEST.send(rc, unit == null || unit.getError() == null ? fallbackMessage : unit.getError());
    } else {
      ApiError.INVALID_REQUEST.send(rc, "invalid " + field.replaceFirst("^#?/?", "") + ": " + unit.getError());
    }
  }

  /** The message text when it is a string (a wrong type is a plain invalid_request). */
  private static Object messageText(RoutingContext rc) {
    try {
      return rc.body().asJsonObject().getValue("message");
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static OutputUnit deepest(OutputUnit unit) {
    if (unit == null) return null;
    if (unit.getErrors() != null) {
      for (OutputUnit child : unit.getErrors()) {
        OutputUnit found = deepest(child);
        if (found != null) return found;
      }
    }
    return unit.getError() != null ? unit : null;
  }

  private static boolean isJsonDecodeFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.core.json.DecodeException) return true;
      String m = t.getMessage();
      // Only the body: a path parameter that "can't be decoded" (e.g. %0A in an id) is an invalid_request.
      if (m != null && (m.contains("body can't be decoded") || m.contains("Failed to decode"))) return true;
    }
    return false;
  }

  /** The API-key handler reports every failed lookup as 401; a lookup that could not reach storage is 503. */
  private static void unauthorized(RoutingContext rc) {
    for (Throwable t = rc.failure(); t != null; t = t.getCause()) {
      if (t instanceof ApiKeyAuthenticator.StorageUnavailable) {
        ApiError.UNAVAILABLE.send(rc, "the service cannot reach its storage right now");
        return;
      }
    }
    ApiError.UNAUTHORIZED.send(rc, "missing or invalid credentials");
  }

  private static void internal(RoutingContext rc) {
    LOG.error("unhandled failure on {} {}", rc.request().method(), rc.request().path(), rc.failure());
    ApiError.INTERNAL_ERROR.send(rc, "internal error");
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof HttpException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
