package io.smsgw.wallet;

import io.smsgw.domain.SmsMessage;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.UUID;

/** The parameters of one {@code accept_messages} call: one array per column (status_callback last), the messages in batch order. */
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
    String[] callbacks = new String[n];
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
      callbacks[i] = m.statusCallback();
    }
    return Tuple.tuple()
      .addArrayOfUUID(ids).addArrayOfUUID(users).addArrayOfString(phones).addArrayOfString(bodies)
      .addArrayOfString(priorities).addArrayOfString(encodings).addArrayOfInteger(segments).addArrayOfLong(costs)
      .addArrayOfString(callbacks);
  }
}
