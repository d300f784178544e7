package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.bulk.BulkRecipient;
import io.smsgw.domain.Priority;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The body of {@code POST /send-sms/bulk}, decoded once and checked by hand against the contract's
 * {@code SendSmsBulkRequest} (the route's own validation is off: the schema interpreter over 10,000 items would cost
 * more than the bulk's whole transaction). These are the request-level rules: a failure here refuses the whole request
 * with a catalogue code, nothing charged. The recipients' contents (phone number, text) are checked per item later
 * ({@link io.smsgw.bulk.BulkRecipients}); only their JSON shape is checked here.
 */
final class SendSmsBulkBody {

  /** The contract's {@code maxItems} of {@code recipients}. */
  static final int MAX_RECIPIENTS = 10_000;
  static final int MAX_VALIDITY_S = 259_200;

  private static final Set<String> FIELDS = Set.of("bulk_id", "user_id", "message", "priority", "validity_period", "send_at",
    "recipients");
  private static final Set<String> RECIPIENT_FIELDS = Set.of("message_id", "phone_number", "message");

  /** A refused request: the code and message of the answer. */
  static final class Invalid extends Exception {
    final ApiError error;

    Invalid(ApiError error, String message) {
      super(message, null, false, false);
      this.error = error;
    }
  }

  /** {@code body}: the decoded object, for {@link SendTiming} (validity_period, send_at). */
  record Parsed(UUID bulkId, UUID userId, Priority priority, String defaultText, List<BulkRecipient> recipients, JsonObject body) {
  }

  private SendSmsBulkBody() {
  }

  static Parsed parse(Buffer raw) throws Invalid {
    if (raw == null || raw.length() == 0) throw new Invalid(ApiError.INVALID_REQUEST, "the request body is required");
    Object decoded;
    try {
      decoded = Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw new Invalid(ApiError.INVALID_JSON, "the body is not valid JSON");
    }
    if (!(decoded instanceof JsonObject body)) throw new Invalid(ApiError.INVALID_REQUEST, "the body must be a JSON object");
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) throw invalid("unknown field '" + field + "'");
    }
    UUID bulkId = uuid(body.getValue("bulk_id"), "bulk_id");
    UUID userId = uuid(body.getValue("user_id"), "user_id");
    Object text = body.getValue("message");
    if (body.containsKey("message") && !(text instanceof String)) throw invalid("message must be a string");
    Object priority = body.getValue("priority");
    if (body.containsKey("priority") && !"normal".equals(priority) && !"vip".equals(priority)) {
      throw invalid("priority must be normal or vip");
    }
    Object validity = body.getValue("validity_period");
    if (body.containsKey("validity_period")
      && (!(validity instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || outOfRange(n.doubleValue()))) {
      throw invalid("validity_period must be a whole number of seconds from 1 to " + MAX_VALIDITY_S);
    }
    Object sendAt = body.getValue("send_at");
    if (body.containsKey("send_at") && !(sendAt instanceof String s && s.length() <= 64)) {
      throw new Invalid(ApiError.INVALID_SEND_AT, "send_at must be an RFC 3339 date-time with an offset, such as 2026-12-24T09:00:00Z");
    }
    if (!(body.getValue("recipients") instanceof JsonArray items)) throw invalid("recipients must be an array of 1 to 10,000 recipients");
    if (items.isEmpty()) throw invalid("recipients must hold at least one recipient");
    if (items.size() > MAX_RECIPIENTS) {
      throw new Invalid(ApiError.TOO_MANY_RECIPIENTS, "recipients holds " + items.size() + " recipients; at most "
        + MAX_RECIPIENTS + " go in one bulk: split it; nothing was charged");
    }
    List<BulkRecipient> recipients = new ArrayList<>(items.size());
    List<?> list = items.getList();
    for (int i = 0; i < list.size(); i++) recipients.add(recipient(i, list.get(i)));
    return new Parsed(bulkId, userId, Priority.fromWire((String) priority), (String) text, recipients, body);
  }

  private static boolean outOfRange(double seconds) {
    return seconds < 1 || seconds > MAX_VALIDITY_S;
  }

  private static BulkRecipient recipient(int index, Object item) throws Invalid {
    // Json.decodeValue leaves nested objects as maps; a JsonObject only if someone built the body by hand.
    Map<?, ?> map = item instanceof Map<?, ?> m ? m : item instanceof JsonObject o ? o.getMap() : null;
    if (map == null) throw invalid("recipients[" + index + "] must be an object");
    for (Object key : map.keySet()) {
      if (!RECIPIENT_FIELDS.contains(key)) throw invalid("recipients[" + index + "]: unknown field '" + key + "'");
    }
    Object id = map.get("message_id");
    if (!Uuids.isCanonical(id)) throw invalid("recipients[" + index + "].message_id must be a UUID in the 8-4-4-4-12 hex form");
    if (!(map.get("phone_number") instanceof String phone)) throw invalid("recipients[" + index + "].phone_number must be a string");
    Object text = map.get("message");
    if (map.containsKey("message") && !(text instanceof String)) throw invalid("recipients[" + index + "].message must be a string");
    return new BulkRecipient(index, Uuids.parse((String) id), phone, (String) text);
  }

  private static UUID uuid(Object value, String field) throws Invalid {
    if (!Uuids.isCanonical(value)) throw invalid(field + " must be a UUID in the 8-4-4-4-12 hex form");
    return Uuids.parse((String) value);
  }

  private static Invalid invalid(String message) {
    return new Invalid(ApiError.INVALID_REQUEST, message);
  }
}
