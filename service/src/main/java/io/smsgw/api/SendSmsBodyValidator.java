package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.api.errors.ErrorHandlers;

import io.smsgw.domain.MessageText;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * Validates the body of {@code POST /send-sms} against the contract's own schema, with a validator built once
 * at start-up. The router's per-request validation re-resolved the schema for every request and cost about a
 * third of the gateway's CPU on the hottest route (bench/README.md); the rules are the same, from the same file.
 */
final class SendSmsBodyValidator implements Handler<RoutingContext> {

  static final String BODY = "smsgw.sendSmsBody";

  private final Validator validator;

  SendSmsBodyValidator(OpenAPIContract contract) {
    JsonSchema schema = contract.operation("sendSms").getRequestBody().getContent().get("application/json").getSchema();
    this.validator = contract.getSchemaRepository().validator(schema);
  }

  @Override
  public void handle(RoutingContext rc) {
    Buffer raw = rc.body().buffer();
    if (raw == null || raw.length() == 0) {
      ApiError.INVALID_REQUEST.send(rc, "the request body is required");
      return;
    }
    Object body;
    try {
      body = Json.decodeValue(raw);
    } catch (DecodeException e) {
      ApiError.INVALID_JSON.send(rc, "the body is not valid JSON");
      return;
    }
    if (body instanceof JsonObject json && plainlyValid(json)) {
      accept(rc, json);
      return;
    }
    OutputUnit result = validator.validate(body);  // the contract decides every other body, and words the error
    if (!Boolean.TRUE.equals(result.getValid()) || !(body instanceof JsonObject json)) {
      ErrorHandlers.invalidBody(rc, result, "the body must be a JSON object as described in the contract");
      return;
    }
    accept(rc, json);
  }

  /** A body the contract accepts; its text must still be one an SMS can carry (sms.MessageText). */
  private static void accept(RoutingContext rc, JsonObject json) {
    String text = json.getString("message");
    int illegal = MessageText.firstIllegal(text);
    if (illegal >= 0) {
      ApiError.INVALID_MESSAGE_TEXT.send(rc, "message holds " + MessageText.describe(text, illegal)
        + ": no control character but LF, CR and FF, and no unpaired surrogate");
      return;
    }
    rc.put(BODY, json);
    rc.next();
  }

  /**
   * The everyday body, checked by hand rule for rule from the contract's {@code SendSmsRequest} schema. Even
   * built once, the schema interpreter was the largest Java cost left on the accept path (JFR, bench/README.md).
   * Only ever stricter than the schema (a test holds it to that): anything it does not accept goes to the
   * schema validator, which decides, so the contract stays the one source of the rules and of the errors.
   */
  static boolean plainlyValid(JsonObject body) {
    Object priority = body.getValue("priority");
    int expectedFields = body.containsKey("priority") ? 5 : 4;
    return body.size() == expectedFields
      && Uuids.isCanonical(body.getValue("message_id"))
      && Uuids.isCanonical(body.getValue("user_id"))
      && isE164(body.getValue("phone_number"))
      // UTF-16 units ≥ code points, so 1..1530 units is within the schema's 1..1530 characters
      && body.getValue("message") instanceof String text && !text.isEmpty() && text.length() <= 1530
      && (priority == null ? !body.containsKey("priority") : "normal".equals(priority) || "vip".equals(priority));
  }

  /** The contract's pattern {@code ^\+[1-9][0-9]{7,14}(?![\s\S])}: nothing after the last digit, not even a newline. */
  private static boolean isE164(Object value) {
    if (!(value instanceof String s) || s.length() < 9 || s.length() > 16 || s.charAt(0) != '+' || s.charAt(1) < '1' || s.charAt(1) > '9') {
      return false;
    }
    for (int i = 2; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    return true;
  }
}
