package io.smsgw.provider;

import io.smsgw.sms.SmsMessage;
import io.vertx.core.Future;

import java.util.List;

/**
 * A way out to the phone network. The message_id travels as the idempotency key, so sending the same message
 * twice (after a crash, a timeout) is delivered once by the provider. The future never fails: every failure
 * is a {@link ProviderResult}.
 */
public interface SmsProvider {

  /** Sends the messages (one request where the provider allows it); one result per message, in order. */
  Future<List<ProviderResult>> send(List<SmsMessage> messages);

  /**
   * Whether the provider holds this message (by its idempotency key): the provider's id if an earlier attempt
   * got through after all, empty if it never arrived. Fails when the provider cannot say right now. Asked before
   * a message is given up and refunded, because a timeout is not a "no".
   */
  Future<java.util.Optional<String>> lookup(SmsMessage message);

  Future<Void> close();
}
