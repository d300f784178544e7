package io.smsgw.platform.pg;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.sqlclient.Row;

/** A message row (with {@code accepted_at_ms}) as the {@link SmsMessage} that travels. */
public final class MessageRows {

  private MessageRows() {
  }

  public static SmsMessage toMessage(Row row) {
    return new SmsMessage(
      row.getUUID("message_id"), row.getUUID("user_id"), row.getString("phone_number"), row.getString("body"),
      Priority.fromWire(row.getString("priority")), Encoding.valueOf(row.getString("encoding")),
      row.getInteger("segments"), row.getLong("cost"), row.getLong("accepted_at_ms"));
  }
}
