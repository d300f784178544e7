package io.smsgw.webhook;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox's retention (V7 purge_webhook_events) against the real PostgreSQL: settled events past their keeping time
 * are deleted, delivered after keep_delivered_s and dead after keep_dead_s; pending events never, however old; and the
 * limit bounds one call. The events are this test's own (their own user) and are deleted after it.
 */
@DisplayName("Webhook retention: old delivered and dead events go, pending ones stay")
class WebhookRetentionIT {

  final String user = UUID.randomUUID().toString();
  static final long DAY = 86_400;

  static String pg() {
    return TestServices.postgres().url();
  }

  void event(String label, String status, long ageDays) {
    Db.execute(pg(), "INSERT INTO webhook_events (event_id, user_id, message_id, url, host, payload, status, created_at) "
      + "VALUES (gen_random_uuid(), '" + user + "', gen_random_uuid(), 'https://r.invalid/" + label + "', 'r.invalid', '{}', '"
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

  static int purge(long keepDeliveredS, long keepDeadS, int limit) {
    return Integer.parseInt(Db.rows(pg(), "SELECT purge_webhook_events(" + keepDeliveredS + ", " + keepDeadS + ", " + limit + ")")
      .get(0).get(0));
  }
}
