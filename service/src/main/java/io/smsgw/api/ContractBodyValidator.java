package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.api.errors.ErrorHandlers;
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

import java.util.function.Predicate;

/**
 * Validates an operation's JSON object body against the contract's schema with a validator built once at start-up, for
 * a route whose own validation is turned off: the router's per-request validation resolves the schema again for every
 * request (it was a third of the gateway's CPU on send-sms, bench/README.md, and 7% of the JVM's in e2e on the delivery
 * reports' batches). The same rules from the same file, and the same error answers as the router's; the decoded body is
 * left for the handler under {@link #BODY}.
 */
final class ContractBodyValidator implements Handler<RoutingContext> {

  static final String BODY = "smsgw.validatedBody";
  private static final Predicate<JsonObject> NO_HAND_CHECK = body -> false;

  private final Validator validator;
  private final Predicate<JsonObject> plainlyValid;

  ContractBodyValidator(OpenAPIContract contract, String operationId) {
    this(contract, operationId, NO_HAND_CHECK);
  }

  /** With a hand check of the operation's everyday body in front of the schema (see {@link #check}). */
  ContractBodyValidator(OpenAPIContract contract, String operationId, Predicate<JsonObject> plainlyValid) {
    this.plainlyValid = plainlyValid;
    JsonSchema schema = contract.operation(operationId).getRequestBody().getContent().get("application/json").getSchema();
    this.validator = contract.getSchemaRepository().validator(schema);
  }

  @Override
  public void handle(RoutingContext rc) {
    JsonObject json = check(rc, plainlyValid);
    if (json == null) return;
    rc.put(BODY, json);
    rc.next();
  }

  /**
   * The body, decoded and valid, or null when the error was answered. {@code plainlyValid}: a hand check only ever
   * stricter than the schema, for an operation's everyday body; what it does not accept the schema decides.
   */
  JsonObject check(RoutingContext rc, Predicate<JsonObject> plainlyValid) {
    Buffer raw = rc.body().buffer();
    if (raw == null || raw.length() == 0) {
      ApiError.INVALID_REQUEST.send(rc, "the request body is required");
      return null;
    }
    Object body;
    try {
      body = Json.decodeValue(raw);
    } catch (DecodeException e) {
      ApiError.INVALID_JSON.send(rc, "the body is not valid JSON");
      return null;
    }
    if (body instanceof JsonObject json && plainlyValid.test(json)) return json;
    OutputUnit result = validator.validate(body);  // the contract decides every other body, and words the error
    if (!Boolean.TRUE.equals(result.getValid()) || !(body instanceof JsonObject json)) {
      ErrorHandlers.invalidBody(rc, result, "the body must be a JSON object as described in the contract");
      return null;
    }
    return json;
  }
}
