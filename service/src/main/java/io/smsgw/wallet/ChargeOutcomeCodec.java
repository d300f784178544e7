package io.smsgw.wallet;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Event-bus codec for {@link ChargeOutcome}, the wallet's answer to every send: a local hop passes the immutable
 * record as is (a {@code JsonObject} reply was built, then copied by the event bus, once per message); a
 * clustered hop writes it as JSON.
 */
public final class ChargeOutcomeCodec implements MessageCodec<ChargeOutcome, ChargeOutcome> {

  @Override
  public void encodeToWire(Buffer buffer, ChargeOutcome outcome) {
    Buffer json = outcome.toJson().toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public ChargeOutcome decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return ChargeOutcome.fromJson(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
  }

  @Override
  public ChargeOutcome transform(ChargeOutcome outcome) {
    return outcome;
  }

  @Override
  public String name() {
    return "charge-outcome";
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
