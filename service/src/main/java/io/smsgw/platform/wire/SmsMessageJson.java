package io.smsgw.platform.wire;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * The one JSON form of an {@link SmsMessage} on the wire: the event bus (gateway) and the Kafka record values
 * (gateway → worker, sms.accepted), so a record can be read by any pod.
 */
public final class SmsMessageJson {

  private SmsMessageJson() {
  }

  public static JsonObject toJson(SmsMessage m) {
    JsonObject json = new JsonObject()
      .put("message_id", m.messageId().toString())
      .put("user_id", m.userId().toString())
      .put("phone_number", m.phoneNumber())
      .put("message", m.text())
      .put("priority", m.priority().wireName())
      .put("encoding", m.encoding().name())
      .put("segments", m.segments())
      .put("cost", m.cost())
      .put("accepted_at_ms", m.acceptedAtMillis());
    // Options are absent, not null or 0, when not given: a record without them reads as before they existed.
    if (m.statusCallback() != null) json.put("status_callback", m.statusCallback());
    if (m.expiresAtMillis() > 0) json.put("expires_at_ms", m.expiresAtMillis());
    if (m.sendAtMillis() > 0) json.put("send_at_ms", m.sendAtMillis());
    return json;
  }

  public static Buffer toBuffer(SmsMessage m) {
    return toJson(m).toBuffer();
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
      json.getLong("accepted_at_ms", 0L),
      json.getString("status_callback"),
      json.getLong("expires_at_ms", 0L),
      json.getLong("send_at_ms", 0L));
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
