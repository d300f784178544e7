package io.smsgw.domain;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * One accepted SMS as it travels: event bus (gateway), Kafka record value (gateway → worker).
 * The same JSON form is used on the wire everywhere, so a record can be read by any pod.
 */
public record SmsMessage(
  UUID messageId,
  UUID userId,
  String phoneNumber,
  String text,
  Priority priority,
  Encoding encoding,
  int segments,
  long cost,
  long acceptedAtMillis) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("message_id", messageId.toString())
      .put("user_id", userId.toString())
      .put("phone_number", phoneNumber)
      .put("message", text)
      .put("priority", priority.wireName())
      .put("encoding", encoding.name())
      .put("segments", segments)
      .put("cost", cost)
      .put("accepted_at_ms", acceptedAtMillis);
  }

  public Buffer toBuffer() {
    return toJson().toBuffer();
  }

  /** @throws IllegalArgumentException (or a JSON decode exception) when the bytes are not a message */
  public static SmsMessage fromJson(JsonObject json) {
    return new SmsMessage(
      UUID.fromString(json.getString("message_id")),
      UUID.fromString(json.getString("user_id")),
      requireText(json, "phone_number"),
      requireText(json, "message"),
      Priority.fromWire(json.getString("priority")),
      Encoding.valueOf(json.getString("encoding")),
      json.getInteger("segments"),
      json.getLong("cost"),
      json.getLong("accepted_at_ms", 0L));
  }

  public static SmsMessage fromBuffer(Buffer buffer) {
    return fromJson(new JsonObject(buffer));
  }

  private static String requireText(JsonObject json, String key) {
    String value = json.getString(key);
    if (value == null) throw new IllegalArgumentException("missing " + key);
    return value;
  }
}
