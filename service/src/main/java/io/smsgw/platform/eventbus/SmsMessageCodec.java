package io.smsgw.platform.eventbus;

import io.smsgw.platform.wire.SmsMessageJson;

import io.smsgw.domain.SmsMessage;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Event-bus codec for {@link SmsMessage}. A local hop passes the immutable record as is (no copy, no JSON);
 * a clustered hop writes the same JSON as the Kafka value, length-prefixed.
 */
public final class SmsMessageCodec implements MessageCodec<SmsMessage, SmsMessage> {

  public static final String NAME = "sms-message";

  @Override
  public void encodeToWire(Buffer buffer, SmsMessage message) {
    Buffer json = SmsMessageJson.toBuffer(message);
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public SmsMessage decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return SmsMessageJson.fromBuffer(buffer.getBuffer(pos + 4, pos + 4 + length));
  }

  @Override
  public SmsMessage transform(SmsMessage message) {
    return message;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
