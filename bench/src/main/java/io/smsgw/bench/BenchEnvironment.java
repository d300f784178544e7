package io.smsgw.bench;

import io.smsgw.account.AccountAddresses;

import io.smsgw.bootstrap.Pod;
import io.smsgw.devkit.DevPod;
import io.smsgw.devkit.DevRole;
import io.smsgw.bootstrap.Role;
import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.DevEnvironment;
import io.smsgw.devkit.FreePorts;
import io.smsgw.operations.InvariantCheck;
import io.smsgw.platform.pg.Database;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

/**
 * What a benchmark runs against: the embedded services of {@code ./smsgw dev} (or the ones SMSGW_* names), a
 * gateway pod with the provider simulator, and a worker pod started when the scenario wants it. All in this
 * JVM and on this machine, with the load generator's own Vert.x instance.
 */
final class BenchEnvironment implements AutoCloseable {

  final GatewayConfig config;
  final Vertx client = Vertx.vertx();
  private final DevEnvironment dev;
  private final DevPod gateway;
  private Pod worker;
  private final List<AutoCloseable> closeFirst = new ArrayList<>();

  BenchEnvironment(GatewayConfig fromFile) throws Exception {
    dev = DevEnvironment.start(fromFile);
    // never collides with a running ./smsgw dev (API and operations ports)
    GatewayConfig moved = dev.config().with("http", "port", FreePorts.next()).with("worker", "http_port", 0);
    // The simulator's delivery reports follow the API to its new port (unless the file or environment named a receiver).
    if (dev.runsSimulator() && fromFile.providerSim().dlrUrl().isEmpty()) {
      moved = moved.with("provider_sim", "dlr_url", DevEnvironment.deliveryReportsUrl(moved.http().port()));
    }
    // e2e's webhook receiver is http://127.0.0.1 in this JVM (EndToEndWebhooks): allowed in the gateway and the worker
    // (whose dispatcher checks every URL again before it delivers). DevEnvironment turns both on too; said here again
    // because the bench depends on it.
    config = moved.with("webhooks", "allow_http", "on").with("webhooks", "allow_loopback", "on");
    try {
      gateway = DevPod.start(config, dev.runsSimulator() ? EnumSet.of(DevRole.GATEWAY, DevRole.PROVIDER_SIM) : EnumSet.of(DevRole.GATEWAY));
    } catch (Exception e) {
      dev.close();
      throw e;
    }
  }

  void startWorker() throws Exception {
    // Its health and metrics port on a free port, so a bench beside ./smsgw dev (or another bench) still starts.
    worker = Pod.start(config.with("worker", "http_port", 0), EnumSet.of(Role.WORKER));
  }

  /** Users with a wallet large enough for any run: {@code {"user_id", "api_key"}}. */
  List<JsonObject> createUsers(int count, long balance) {
    List<JsonObject> users = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonObject request = new JsonObject().put("name", "bench-" + i).put("balance", balance);
      users.add(gateway.vertx().eventBus().<JsonObject>request(AccountAddresses.ACCOUNT_CREATE, request).await().body());
    }
    return users;
  }

  static JsonObject sms(JsonObject user, String phone, String text, String priority) {
    return new JsonObject()
      .put("message_id", UUID.randomUUID().toString())
      .put("user_id", user.getString("user_id"))
      .put("phone_number", phone)
      .put("message", text)
      .put("priority", priority);
  }

  /** CPU accounting for the processes of this run (this JVM, the broker, PostgreSQL). */
  MachineCpu cpu() {
    // The checkpointer, not this query's own backend: that one exits when the query's connection closes, and then
    // the postmaster could not be found from it (some runs left PostgreSQL out of the figure that way).
    return new MachineCpu(count("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"));
  }

  /** Starts PostgreSQL's statement statistics afresh (where the server has pg_stat_statements loaded). */
  void resetStatementStats() {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      s.execute("SELECT pg_stat_statements_reset()");
    } catch (Exception notLoaded) {
      // an external PostgreSQL without the module: the run just has no statement breakdown
    }
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_reset_shared('wal')");
    } catch (Exception noRight) {
      // a server that does not let this user reset its WAL statistics: walStats() then counts from its last reset
    }
  }

  /**
   * The write-ahead log since the reset (pg_stat_wal, PostgreSQL 14+), per message: records, full-page images and
   * bytes. The WAL is what every row write, lock and index entry costs in the end, and fsync waits for it.
   */
  JsonObject walPerMessage(long messages) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal")) {
      rs.next();
      double n = Math.max(1, messages);
      return new JsonObject().put("records", Math.round(rs.getLong(1) / n * 10) / 10.0)
        .put("full_page_images", Math.round(rs.getLong(2) / n * 100) / 100.0).put("bytes", Math.round(rs.getLong(3) / n));
    } catch (Exception olderServer) {
      return null;
    }
  }

  /** The statements PostgreSQL spent most time on since the reset: where the database's share of a run goes. */
  JsonArray topStatements(int limit) {
    JsonArray top = new JsonArray();
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT round(total_exec_time) AS ms, calls, rows, round((total_exec_time / greatest(calls, 1))::numeric, 3) AS ms_per_call,"
           + " left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query FROM pg_stat_statements"
           + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
           + " ORDER BY total_exec_time DESC LIMIT " + limit)) {
      while (rs.next()) {
        top.add(new JsonObject().put("total_ms", rs.getLong(1)).put("calls", rs.getLong(2)).put("rows", rs.getLong(3))
          .put("ms_per_call", rs.getDouble(4)).put("query", rs.getString(5)));
      }
    } catch (Exception notLoaded) {
      // as above
    }
    return top;
  }

  long count(String sql) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** {@code sql} once per row of parameters, in one JDBC batch and one transaction. */
  void batch(String sql, List<List<Object>> rows) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); PreparedStatement s = c.prepareStatement(sql)) {
      c.setAutoCommit(false);
      for (List<Object> row : rows) {
        for (int i = 0; i < row.size(); i++) s.setObject(i + 1, row.get(i));
        s.addBatch();
      }
      s.executeBatch();
      c.commit();
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  List<Long> longs(String sql) {
    List<Long> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) values.add(rs.getLong(1));
      return values;
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * Async mode: waits until settlement stops adding rows (1 s without change), then the settlement figures: lag
   * from the 200 to the PostgreSQL charge (p50/p99/max over all async messages) and what PostgreSQL rejected.
   * The same lag is live on /metrics as smsgw_settlement_lag_seconds.
   */
  JsonObject awaitSettlement() throws InterruptedException {
    long last = -1;
    long now = count("SELECT count(*) FROM messages");
    while (now != last) {
      Thread.sleep(1000);
      last = now;
      now = count("SELECT count(*) FROM messages");
    }
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(config.pg().url())); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(BenchSql.settlementLag().replace("$1::float8", "1e9"))) {
      rs.next();
      JsonObject lag = new JsonObject().put("settled", rs.getLong(1)).put("lag_p50_ms", rs.getDouble(2))
        .put("lag_p99_ms", rs.getDouble(3)).put("lag_max_ms", rs.getDouble(4));
      return lag.put("rejected_at_settlement", count("SELECT count(*) FROM messages WHERE rejected_at_settlement"))
        .put("rejected_amount", count("SELECT coalesce(sum(cost), 0) FROM messages WHERE rejected_at_settlement"));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean invariantsOk() throws Exception {
    List<InvariantCheck.Violation> violations = InvariantCheck.run(config.pg().url());
    violations.forEach(v -> System.out.println("VIOLATION " + v));
    return violations.isEmpty();
  }

  /**
   * The simulator's counters. Over SMPP (SMSGW_DEV_PROVIDER=smpp) the SMSC simulator's, with the names the scenarios
   * read: {@code delivered} counts each message once (its client key) plus every part the SMSC accepted again (SMPP
   * has no idempotency key, so a repeat is a second send), {@code dlr_sent} / {@code dlr_pending} its receipts.
   */
  JsonObject providerStats() throws Exception {
    if (dev.smsc() != null) {
      var stats = dev.smsc().stats();
      return stats.toJson().put("kind", "smpp")
        .put("delivered", (long) stats.acceptedIdsByKey().size() + stats.repeatedRequests())
        .put("dlr_sent", stats.receiptsSent()).put("dlr_pending", stats.receiptsPending());
    }
    HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
      HttpRequest.newBuilder(URI.create(config.provider().url() + "/v1/stats")).build(),
      HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }

  /** Waits until {@code sql} counts zero; returns the seconds it took, or -1 on timeout. */
  double awaitZero(String sql, double timeoutSeconds) throws InterruptedException {
    long start = System.nanoTime();
    while (count(sql) > 0) {
      if ((System.nanoTime() - start) / 1e9 > timeoutSeconds) return -1;
      Thread.sleep(200);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Closed with the environment, before the pods (a scenario's own servers: nothing else outlives the run). */
  void closeAtEnd(AutoCloseable resource) {
    closeFirst.add(resource);
  }

  @Override
  public void close() {
    for (AutoCloseable resource : closeFirst) {
      try {
        resource.close();
      } catch (Exception e) {
        System.err.println("closing " + resource + " failed: " + e);
      }
    }
    if (worker != null) worker.stop();
    gateway.stop();
    client.close().await();
    dev.close();
  }
}
