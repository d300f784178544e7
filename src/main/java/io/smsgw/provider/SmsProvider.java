package io.smsgw.provider;

import io.smsgw.sms.SmsMessage;
import io.vertx.core.Future;

/**
 * A way out to the phone network. The message_id travels as the idempotency key, so sending the same message
 * twice (after a crash, a timeout) is delivered once by the provider. The future never fails: every failure
 * is a {@link ProviderResult}.
 */
public interface SmsProvider {

  Future<ProviderResult> send(SmsMessage message);

  Future<Void> close();
}
