package io.smsgw.webhook;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox's retention (V7 purge_webhook_events) against the real PostgreSQL: settled events past their keeping time
 * are deleted, delivered after keep_delivered_s and dead after keep_dead_s; pending events never, however old; the
 * limit bounds one call; and the time-ordered event ids (uuid_v7) the purge reads the age from. The events are this test's own (their own user) and are deleted after it.
 */
@DisplayName("Webhook retention: old delivered and dead events go, pending ones stay")
class WebhookRetentionIT {

  final String user = UUID.randomUUID().toString();
  static final long DAY = 86_400;

  static String pg() {
    return TestDatabase.url();  // migrated, so the test runs alone too
  }

  void event(String label, String status, long ageDays) {
    Db.execute(pg(), "INSERT INTO webhook_events (event_id, user_id, message_id, url, host, payload, status, created_at) "
      + "VALUES (uuid_v7(now() - interval '" + ageDays + " days'), '" + user + "', gen_random_uuid(), 'https://r.invalid/" + label + "', 'r.invalid', '{}', '"
      + status + "', now() - interval '" + ageDays + " days')");
  }

  List<String> left() {
    return Db.rows(pg(), "SELECT url FROM webhook_events WHERE user_id = '" + user + "' ORDER BY url").stream()
      .map(r -> r.get(0).substring("https://r.invalid/".length())).collect(Collectors.toList());
  }

  @AfterEach
  void clean() {
    Db.execute(pg(), "DELETE FROM webhook_events WHERE user_id = '" + user + "'");
  }

  @Test
  @DisplayName("delivered older than 7 days and dead older than 30 go; younger ones and every pending event stay")
  void purgesOnlySettledAndOld() {
    event("delivered-8d", "delivered", 8);
    event("delivered-1d", "delivered", 1);
    event("dead-31d", "dead", 31);
    event("dead-10d", "dead", 10);
    event("pending-40d", "pending", 40);

    purge(7 * DAY, 30 * DAY, 1_000);

    assertThat(left()).containsExactly("dead-10d", "delivered-1d", "pending-40d");
  }

  @Test
  @DisplayName("one call deletes at most its limit; the next takes the rest")
  void limitPerCall() {
    for (int i = 0; i < 5; i++) event("old-" + i, "delivered", 9);
    purge(7 * DAY, 30 * DAY, 2);
    assertThat(left()).as("other tests' old events may take part of the limit").hasSizeGreaterThanOrEqualTo(3);
    for (int i = 0; i < 5; i++) purge(7 * DAY, 30 * DAY, 1_000);
    assertThat(left()).isEmpty();
  }

  @Test
  @DisplayName("event ids are version 7 UUIDs in time order, and uuid_v7_floor of a time is below every id made from then on")
  void timeOrderedIds() {
    List<List<String>> row = Db.rows(pg(), "SELECT uuid_v7(now() - interval '1 day')::text, uuid_v7(now())::text, "
      + "uuid_v7(now() + interval '1 ms')::text, uuid_v7_floor(now())::text, uuid_v7(now() - interval '1 ms') < uuid_v7_floor(now()), "
      + "uuid_v7(now()) >= uuid_v7_floor(now())");
    List<String> r = row.get(0);
    for (int i = 0; i < 3; i++) {
      UUID id = UUID.fromString(r.get(i));
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
    }
    assertThat(r.get(0)).isLessThan(r.get(1));
    assertThat(r.get(1)).isLessThan(r.get(2));
    assertThat(r.get(3)).endsWith("0000-000000000000");
    assertThat(r.subList(4, 6)).containsExactly("t", "t");
  }

  @Test
  @DisplayName("the status trigger writes events with version 7 ids")
  void triggerUsesV7() {
    Db.execute(pg(), "INSERT INTO webhooks (user_id, url, secret) VALUES ('" + user + "', 'https://r.invalid/hook', 's')");
    try {
      Db.execute(pg(), "INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, status) "
        + "VALUES (gen_random_uuid(), '" + user + "', '+15005550006', 'x', 'normal', 'GSM7', 1, 1, 'rejected')");
      List<List<String>> ids = Db.rows(pg(), "SELECT event_id::text FROM webhook_events WHERE user_id = '" + user + "'");
      assertThat(ids).hasSize(1);
      assertThat(UUID.fromString(ids.get(0).get(0)).version()).isEqualTo(7);
    } finally {
      Db.execute(pg(), "DELETE FROM messages WHERE user_id = '" + user + "'");
      Db.execute(pg(), "DELETE FROM webhooks WHERE user_id = '" + user + "'");
    }
  }

  static int purge(long keepDeliveredS, long keepDeadS, int limit) {
    return Integer.parseInt(Db.rows(pg(), "SELECT purge_webhook_events(" + keepDeliveredS + ", " + keepDeadS + ", " + limit + ")")
      .get(0).get(0));
  }
}
