package io.smsgw.testing;

import io.smsgw.account.AccountSql;
import io.smsgw.account.ApiKeys;
import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Migrations;
import io.smsgw.wallet.AcceptArguments;
import io.smsgw.wallet.WalletSql;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The shared test PostgreSQL with the gateway's schema, for tests of single classes and verticles: users and accepted
 * messages are made with the service's own SQL (the admin API's and the accept path's statements), no pod needed.
 * The helpers block: call them from the test's thread, never from an event loop.
 */
public final class TestDatabase {

  private static String url;

  private TestDatabase() {
  }

  /** The shared database's URL, migrated once per JVM. */
  public static synchronized String url() {
    if (url == null) {
      String candidate = TestServices.postgres().url();
      Migrations.migrate(candidate);
      url = candidate;
    }
    return url;
  }

  /** conf/smsgw.json against the shared database, with {@code overrides} in the SMSGW_* form. */
  public static GatewayConfig config(Map<String, String> overrides) {
    Map<String, String> env = new java.util.HashMap<>(overrides);
    env.putIfAbsent("SMSGW_PG_URL", url());
    return GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env);
  }

  /** A new user with a wallet of {@code balance} (and its opening top-up in the ledger), as the admin API makes it. */
  public static UUID createUser(Pool pool, long balance) throws Exception {
    UUID userId = UUID.randomUUID();
    pool.preparedQuery(AccountSql.createUser())
      .execute(Tuple.of(userId, "test", Buffer.buffer(ApiKeys.hash("key-" + userId)), balance, UUID.randomUUID()))
      .await(20, TimeUnit.SECONDS);
    return userId;
  }

  /** One normal message of one segment at 100, accepted (row, debit, ledger) by the accept path's statement. */
  public static SmsMessage accept(Pool pool, UUID userId, String text) throws Exception {
    SmsMessage message = new SmsMessage(UUID.randomUUID(), userId, "+14155550100", text, Priority.NORMAL, Encoding.GSM7, 1, 100,
      System.currentTimeMillis());
    Row row = pool.preparedQuery(WalletSql.acceptMessages()).execute(AcceptArguments.of(List.of(message)))
      .await(20, TimeUnit.SECONDS).iterator().next();
    if (!"accepted".equalsIgnoreCase(row.getString("o_outcome"))) throw new IllegalStateException("not accepted: " + row.toJson());
    return message;
  }

  public static long balance(UUID userId) {
    return Db.count(url(), "SELECT balance FROM wallets WHERE user_id = '" + userId + "'");
  }
}
