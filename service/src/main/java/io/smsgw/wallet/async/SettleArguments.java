package io.smsgw.wallet.async;

import io.smsgw.domain.SmsMessage;
import io.smsgw.wallet.AcceptArguments;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/** The parameters of one {@code settle_messages} call: those of accept_messages, plus the time of each 200. */
final class SettleArguments {

  private SettleArguments() {
  }

  static Tuple of(List<SmsMessage> batch) {
    Long[] acceptedAt = batch.stream().map(SmsMessage::acceptedAtMillis).toArray(Long[]::new);
    return AcceptArguments.of(batch).addArrayOfLong(acceptedAt);
  }
}
