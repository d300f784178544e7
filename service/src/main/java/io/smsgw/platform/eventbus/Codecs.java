package io.smsgw.platform.eventbus;

import io.smsgw.domain.SmsMessage;
import io.smsgw.wallet.ChargeOutcome;
import io.smsgw.wallet.ChargeOutcomeCodec;
import io.vertx.core.eventbus.EventBus;

/**
 * The event bus's own message types, registered on every node (a clustered hop needs the codec on both sides). The
 * other messages are JsonObject, which Vert.x encodes itself.
 */
public final class Codecs {

  private Codecs() {
  }

  public static void register(EventBus bus) {
    bus.registerDefaultCodec(SmsMessage.class, new SmsMessageCodec());
    bus.registerDefaultCodec(ChargeOutcome.class, new ChargeOutcomeCodec());
    // Within the pod only: a bulk and its messages are handed over without a copy.
    bus.registerDefaultCodec(io.smsgw.bulk.BulkCharge.class, new LocalCodec<>("bulk-charge"));
    bus.registerDefaultCodec(io.smsgw.bulk.BulkOutcome.class, new LocalCodec<>("bulk-outcome"));
    bus.registerDefaultCodec(io.smsgw.outbox.MessageBatch.class, new LocalCodec<>("message-batch"));
  }
}
