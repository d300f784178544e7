package io.smsgw.webhook;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher's claim (V5 claim_webhook_events) against the real PostgreSQL: per receiver host it takes only the room
 * it is told, nothing of a full host, any other host up to the default room, oldest first, and never an event another
 * claim holds. No dispatcher runs here: the events are this test's own and are deleted after it.
 */
@DisplayName("Webhook claims: per receiver host, only the room the dispatcher has")
class WebhookClaimsIT {

  final String run = UUID.randomUUID().toString().substring(0, 8);
  final String busy = "busy-" + run + ".invalid";
  final String slow = "slow-" + run + ".invalid";
  final String other = "other-" + run + ".invalid";
  final String full = "full-" + run + ".invalid";

  static String pg() {
    return TestDatabase.url();  // migrated, so the test runs alone too
  }

  void events(String host, int n) {
    // host as the status trigger fills it (V6 webhook_receiver)
    Db.execute(pg(), "INSERT INTO webhook_events (event_id, user_id, message_id, url, host, payload, due_at) "
      + "SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'https://" + host + "/hook', "
      + "webhook_receiver('https://" + host + "/hook'), '{}', "
      + "now() - interval '1 hour' + g * interval '1 millisecond' FROM generate_series(1, " + n + ") g");
  }

  /** Hosts of the events one claim took, counted (this test's hosts: the database is shared with other tests). */
  Map<String, Long> claim(int limit, String fullHosts, String hosts, String rooms, int defaultRoom) {
    List<List<String>> rows = Db.rows(pg(), "SELECT host FROM claim_webhook_events(" + limit + ", 30000, '" + fullHosts
      + "'::text[], '" + hosts + "'::text[], '" + rooms + "'::int[], " + defaultRoom + ")");
    return rows.stream().filter(r -> r.get(0).endsWith("-" + run + ".invalid")).collect(Collectors.groupingBy(r -> r.get(0), Collectors.counting()));
  }

  @AfterEach
  void clean() {
    Db.execute(pg(), "DELETE FROM webhook_events WHERE host LIKE '%-" + run + ".invalid'");
  }

  @Test
  @DisplayName("each host gets at most its room, a full host nothing, the rest the default room")
  void roomPerHost() {
    events(busy, 50);
    events(slow, 50);
    events(other, 5);
    events(full, 50);

    Map<String, Long> taken = claim(100, "{" + full + "}", "{" + busy + "," + slow + "}", "{3,7}", 16);

    assertThat(taken.get(busy)).isEqualTo(3);
    assertThat(taken.get(slow)).isEqualTo(7);
    assertThat(taken.get(other)).isEqualTo(5);
    assertThat(taken).doesNotContainKey(full);
    assertThat(Db.count(pg(), "SELECT count(*) FROM webhook_events WHERE host = '" + busy + "' AND attempts = 1"))
      .as("the claimed events' attempts are counted, the others untouched").isEqualTo(3);
  }

  @Test
  @DisplayName("the oldest due events first, and a leased event is not claimed again")
  void oldestFirstAndLeased() {
    events(busy, 10);
    List<String> oldest = Db.rows(pg(), "SELECT event_id FROM webhook_events WHERE host = '" + busy
      + "' ORDER BY due_at LIMIT 4").stream().map(r -> r.get(0)).toList();

    List<String> first = Db.rows(pg(), "SELECT event_id FROM claim_webhook_events(100, 30000, '{}'::text[], '{"
      + busy + "}'::text[], '{4}'::int[], 16)").stream().map(r -> r.get(0)).toList();
    assertThat(first).containsExactlyInAnyOrderElementsOf(oldest);

    Map<String, Long> second = claim(100, "{}", "{}", "{}", 100);
    assertThat(second.get(busy)).as("the 6 not leased yet, none of the 4 that are").isEqualTo(6);
    assertThat(claim(100, "{}", "{}", "{}", 100)).as("all leased now").doesNotContainKey(busy);
  }

  @Test
  @DisplayName("the limit caps the claim over all hosts")
  void limitOverAllHosts() {
    events(busy, 30);
    events(other, 30);
    Map<String, Long> taken = claim(10, "{}", "{}", "{}", 100);
    assertThat(taken.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10);
  }

  @Test
  @DisplayName("a receiver is a URL's authority, lower case: its host and port, without path, query or fragment")
  void receiverOfAUrl() {
    List<List<String>> rows = Db.rows(pg(), "SELECT webhook_receiver('https://Hooks.Example.com:8443/a/b?c=d#e'), "
      + "webhook_receiver('http://[::1]:9000/x'), webhook_receiver('https://example.com?x=1'), "
      + "webhook_receiver('https://example.com#f'), webhook_receiver('https://example.com')");
    assertThat(rows.get(0)).containsExactly("hooks.example.com:8443", "[::1]:9000", "example.com", "example.com", "example.com");
  }
}
