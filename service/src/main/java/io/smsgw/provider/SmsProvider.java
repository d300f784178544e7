package io.smsgw.provider;

import io.smsgw.domain.SmsMessage;
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
   * Whether the provider holds this message (by its idempotency key). Asked before a message whose sends may have
   * got through is given up, because a timeout is not a "no". The future never fails.
   */
  Future<LookupResult> lookup(SmsMessage message);

  /** The longest one {@link #send} takes before it answers, queueing included: a send must end inside its claim. */
  long maxSendMs();

  /** Whether this provider has a lookup at all; without one, a message in doubt can never be confirmed either way. */
  boolean offersLookup();

  Future<Void> close();
}
