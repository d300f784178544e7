package io.smsgw.wallet.async;

import io.smsgw.platform.wire.SmsMessageJson;

import io.smsgw.domain.SmsMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The value of an {@code sms.accepted} record: the message (same JSON as on the lanes) and the Redis epoch its
 * reservation was made in, so settlement releases it in the right place; no epoch when it was not reserved.
 */
public record AcceptedRecord(SmsMessage message, String epoch) {

  public Buffer toBuffer() {
    JsonObject json = SmsMessageJson.toJson(message);
    if (epoch != null) json.put("epoch", epoch);
    return json.toBuffer();
  }

  public static AcceptedRecord fromBuffer(Buffer buffer) {
    JsonObject json = new JsonObject(buffer);
    return new AcceptedRecord(SmsMessageJson.fromJson(json), json.getString("epoch"));
  }
}
