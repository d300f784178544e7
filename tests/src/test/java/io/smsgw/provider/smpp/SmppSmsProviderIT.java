package io.smsgw.provider.smpp;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.simulator.smpp.SmscSimulator;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.smsgw.provider.ProviderResult;
import io.smsgw.testing.Db;
import io.smsgw.testing.Eventually;
import io.smsgw.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMPP provider (provider/smpp/SmppSmsProvider, V8) against the dev kit's SMSC simulator over TCP and the real
 * PostgreSQL: a long message as three UDH parts whose receipts are joined to it; a receipt that comes before its part is
 * recorded waits and is joined then; a resend sends only the parts not taken; a submit without an answer is in doubt
 * and never sent again; refusals keep the HTTP provider's words; a "later" is not taken.
 */
@DisplayName("SMPP provider: parts recorded, receipts joined, nothing sent twice")
class SmppSmsProviderIT {

  static final String PERSIAN_3_PARTS = "سلام دنیا ".repeat(14);

  final String providerId = "it-" + UUID.randomUUID().toString().substring(0, 8);
  Vertx vertx;
  Pool pool;
  SmscSimulator smsc;
  SmppSmsProvider provider;
  UUID user;

  @BeforeEach
  void start() throws Exception {
    smsc = SmscSimulator.start(SmscSimulator.fastSettings(Map.of()));
    GatewayConfig config = TestDatabase.config(Map.of(
      "SMSGW_PROVIDER_KIND", "smpp", "SMSGW_SMPP_PROVIDER_ID", providerId, "SMSGW_SMPP_HOST", "127.0.0.1",
      "SMSGW_SMPP_PORT", String.valueOf(smsc.port()), "SMSGW_SMPP_PASSWORD", "secret", "SMSGW_SMPP_BINDS", "2",
      "SMSGW_SMPP_RESPONSE_TIMEOUT_MS", "1000", "SMSGW_SMPP_RECONNECT_MIN_MS", "50"));
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, config);
    provider = new SmppSmsProvider(vertx, pool, config.smpp());
    Eventually.await("every bind up", Duration.ofSeconds(10), () -> provider.binds().stream().allMatch(SmppBind::bound));
    user = TestDatabase.createUser(pool, 1_000_000);
  }

  @AfterEach
  void stop() throws Exception {
    // This test's messages were accepted and charged but never go through a sender: left pending, a later test's
    // worker would take them as orphans and send them through its own simulator. Sent is what they are (paid, not
    // refunded), so the invariants hold.
    Db.execute(TestDatabase.url(), "UPDATE messages SET status = 'sent', sent_at = now(), claimed_until = NULL, "
      + "published_at = coalesce(published_at, now()) WHERE user_id = '" + user + "' AND status = 'pending'");
    provider.close().await(10, TimeUnit.SECONDS);
    pool.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    smsc.close();
  }

  /** An accepted message (its row is what reports join to), sent to {@code phone} with {@code text}. */
  SmsMessage message(String phone, String text) throws Exception {
    SmsMessage row = TestDatabase.accept(pool, user, "x");
    Encoding encoding = text.chars().allMatch(c -> c < 128) ? Encoding.GSM7 : Encoding.UCS2;
    return new SmsMessage(row.messageId(), user, phone, text, row.priority(), encoding, 1, row.cost(), row.acceptedAtMillis());
  }

  ProviderResult send(SmsMessage m) throws Exception {
    return provider.send(List.of(m)).await(20, TimeUnit.SECONDS).get(0);
  }

  List<List<String>> parts(SmsMessage m) {
    return Db.rows(TestDatabase.url(), "SELECT part::text, coalesce(smsc_message_id, '<none>') FROM provider_parts WHERE message_id = '"
      + m.messageId() + "' ORDER BY part");
  }

  long reports(SmsMessage m) {
    return Db.count(TestDatabase.url(), "SELECT count(*) FROM delivery_reports WHERE message_id = '" + m.messageId() + "'");
  }

  @Test
  @DisplayName("a 3-part Persian message: three submits, each part recorded with its SMSC id, all three receipts joined")
  void longMessage() throws Exception {
    SmsMessage m = message("+989121234567", PERSIAN_3_PARTS);
    ProviderResult result = send(m);

    List<String> accepted = smsc.stats().acceptedIds(m.messageId().toString());
    assertThat(accepted).hasSize(3);
    assertThat(result).isEqualTo(new ProviderResult.Accepted(parts(m).get(0).get(1)));
    assertThat(parts(m)).extracting(r -> r.get(1)).containsExactlyInAnyOrderElementsOf(accepted);
    Eventually.await("three receipts joined", Duration.ofSeconds(10), () -> reports(m) == 3);
    assertThat(Db.count(TestDatabase.url(), "SELECT count(*) FROM delivery_reports WHERE message_id = '" + m.messageId()
      + "' AND parts = 3 AND status = 'delivered'")).isEqualTo(3);
  }

  @Test
  @DisplayName("a receipt before its part is recorded waits in provider_receipts_unmatched and is joined when the part comes")
  void receiptBeforePart() throws Exception {
    SmsMessage m = message("+15551234567", "early");
    String url = TestDatabase.url();
    List<List<String>> stored = Db.rows(url, "SELECT stored, duplicates, unmatched FROM store_provider_receipts('" + providerId
      + "', ARRAY['early-1'], ARRAY['delivered'], ARRAY[NULL]::text[], ARRAY[now()])");
    assertThat(stored.get(0)).containsExactly("0", "0", "1");
    assertThat(reports(m)).isZero();

    List<List<String>> matched = Db.rows(url, "SELECT record_provider_parts('" + providerId + "', ARRAY['" + m.messageId()
      + "']::uuid[], ARRAY[1], ARRAY[1], ARRAY['early-1'])");
    assertThat(matched.get(0)).containsExactly("1");
    assertThat(reports(m)).isEqualTo(1);
    assertThat(Db.count(url, "SELECT count(*) FROM provider_receipts_unmatched WHERE provider = '" + providerId + "'")).isZero();

    // The same receipt again: a duplicate, not a second report.
    List<List<String>> again = Db.rows(url, "SELECT stored, duplicates, unmatched FROM store_provider_receipts('" + providerId
      + "', ARRAY['early-1'], ARRAY['delivered'], ARRAY[NULL]::text[], ARRAY[now()])");
    assertThat(again.get(0)).containsExactly("0", "1", "0");
    assertThat(reports(m)).isEqualTo(1);
  }

  @Test
  @DisplayName("a resend sends only the parts that no earlier attempt got taken")
  void resendSkipsTakenParts() throws Exception {
    SmsMessage m = message("+989121234567", PERSIAN_3_PARTS);
    Db.execute(TestDatabase.url(), "SELECT record_provider_parts('" + providerId + "', ARRAY['" + m.messageId()
      + "']::uuid[], ARRAY[1], ARRAY[3], ARRAY['earlier-1'])");

    ProviderResult result = send(m);

    assertThat(result).isEqualTo(new ProviderResult.Accepted("earlier-1"));
    assertThat(smsc.stats().acceptedIds(m.messageId().toString())).as("parts 2 and 3 only").hasSize(2);
    assertThat(parts(m)).hasSize(3);
  }

  @Test
  @DisplayName("no submit_sm_resp: in doubt, recorded without an id, and a second send submits nothing")
  void lostAnswerNeverResent() throws Exception {
    SmsMessage m = message("+15005550006", "lost answer");
    ProviderResult first = send(m);
    assertThat(first).isInstanceOf(ProviderResult.InDoubt.class);
    assertThat(parts(m)).containsExactly(List.of("1", "<none>"));

    long started = System.nanoTime();
    ProviderResult second = send(m);
    assertThat(second).isInstanceOf(ProviderResult.InDoubt.class);
    assertThat(((ProviderResult.InDoubt) second).reason()).contains("never answered");
    assertThat((System.nanoTime() - started) / 1_000_000).as("no submit waited for").isLessThan(900);
  }

  @Test
  @DisplayName("refusals end as over HTTP (invalid_number, blocked); a system error is 'later' and not taken")
  void refusals() throws Exception {
    assertThat(send(message("+15005550001", "bad"))).isEqualTo(new ProviderResult.Permanent("failed", "invalid_number"));
    assertThat(send(message("+15005550004", "blocked"))).isEqualTo(new ProviderResult.Permanent("rejected", "blocked"));
    SmsMessage later = message("+15005550009", "always a system error");
    ProviderResult result = send(later);
    assertThat(result).isInstanceOf(ProviderResult.Transient.class);
    assertThat(((ProviderResult.Transient) result).mayHaveBeenTaken()).isFalse();
    assertThat(parts(later)).isEmpty();
  }
}
