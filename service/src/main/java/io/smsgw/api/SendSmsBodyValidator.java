package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.domain.MessageText;
import io.smsgw.domain.PhoneNumbers;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * Validates the body of {@code POST /send-sms} against the contract's own schema ({@link ContractBodyValidator}: built
 * once at start-up), with a hand check of the everyday body in front of it, and that the text is one an SMS can carry.
 */
final class SendSmsBodyValidator implements Handler<RoutingContext> {

  static final String BODY = "smsgw.sendSmsBody";

  private final ContractBodyValidator contract;

  SendSmsBodyValidator(OpenAPIContract contract) {
    this.contract = new ContractBodyValidator(contract, "sendSms");
  }

  @Override
  public void handle(RoutingContext rc) {
    JsonObject json = contract.check(rc, SendSmsBodyValidator::plainlyValid);
    if (json != null) accept(rc, json);
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
      && PhoneNumbers.isE164(body.getValue("phone_number"))
      // UTF-16 units ≥ code points, so 1..1530 units is within the schema's 1..1530 characters
      && body.getValue("message") instanceof String text && !text.isEmpty() && text.length() <= 1530
      && (priority == null ? !body.containsKey("priority") : "normal".equals(priority) || "vip".equals(priority));
  }
}
