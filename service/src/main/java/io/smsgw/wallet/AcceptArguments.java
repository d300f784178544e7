package io.smsgw.wallet;

import io.smsgw.domain.SmsMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.UUID;

/**
 * The parameters of one {@code accept_messages} call: one array per column, the messages in batch order, and the
 * per-message options last as one jsonb array (V4__validity_and_scheduling.sql): an object per message, null for one
 * without options.
 */
public final class AcceptArguments {

  private AcceptArguments() {
  }

  public static Tuple of(List<SmsMessage> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    UUID[] users = new UUID[n];
    String[] phones = new String[n];
    String[] bodies = new String[n];
    String[] priorities = new String[n];
    String[] encodings = new String[n];
    Integer[] segments = new Integer[n];
    Long[] costs = new Long[n];
    JsonArray options = new JsonArray(new java.util.ArrayList<>(n));
    for (int i = 0; i < n; i++) {
      SmsMessage m = batch.get(i);
      ids[i] = m.messageId();
      users[i] = m.userId();
      phones[i] = m.phoneNumber();
      bodies[i] = m.text();
      priorities[i] = m.priority().wireName();
      encodings[i] = m.encoding().name();
      segments[i] = m.segments();
      costs[i] = m.cost();
      options.addNull();
      if (m.statusCallback() != null || m.expiresAtMillis() > 0 || m.sendAtMillis() > 0) options.set(i, options(m));
    }
    return Tuple.tuple()
      .addArrayOfUUID(ids).addArrayOfUUID(users).addArrayOfString(phones).addArrayOfString(bodies)
      .addArrayOfString(priorities).addArrayOfString(encodings).addArrayOfInteger(segments).addArrayOfLong(costs)
      .addValue(options);
  }

  private static JsonObject options(SmsMessage m) {
    JsonObject o = new JsonObject();
    if (m.statusCallback() != null) o.put("status_callback", m.statusCallback());
    if (m.expiresAtMillis() > 0) o.put("expires_at_ms", m.expiresAtMillis());
    if (m.sendAtMillis() > 0) o.put("send_at_ms", m.sendAtMillis());
    return o;
  }
}
