package io.smsgw.platform.pg;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.sqlclient.Row;

/**
 * A message row (with {@code accepted_at_ms}, and {@code expires_at_ms} where the row has it: the claims) as the
 * {@link SmsMessage} that travels. The status_callback stays in the row: its events are written there.
 */
public final class MessageRows {

  private MessageRows() {
  }

  public static SmsMessage toMessage(Row row) {
    return new SmsMessage(
      row.getUUID("message_id"), row.getUUID("user_id"), row.getString("phone_number"), row.getString("body"),
      Priority.fromWire(row.getString("priority")), Encoding.valueOf(row.getString("encoding")),
      row.getInteger("segments"), row.getLong("cost"), row.getLong("accepted_at_ms"), null, expiresAt(row), 0);
  }

  private static long expiresAt(Row row) {
    if (row.getColumnIndex("expires_at_ms") < 0) return 0;
    Long ms = row.getLong("expires_at_ms");
    return ms == null ? 0 : ms;
  }
}
