package io.smsgw.platform.pg;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** PostgreSQL access: one shared pool per process, sized in {@code conf/} (pg.pool_size). */
public final class Database {

  private Database() {
  }

  /** All verticle instances of a process share this pool (same name), so the connection count stays bounded. */
  public static Pool pool(Vertx vertx, GatewayConfig config) {
    PoolOptions poolOptions = new PoolOptions()
      .setShared(true)
      .setName("smsgw-pg")
      .setMaxSize(config.pg().poolSize())
      // Bounded: when PostgreSQL is slow, callers fail fast (503) instead of queueing without limit.
      .setMaxWaitQueueSize(config.pg().poolWaitQueue())
      .setConnectionTimeout(5)
      .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
    return PgBuilder.pool()
      .with(poolOptions)
      .connectingTo(connectOptions(config.pg().url()))
      .using(vertx)
      .build();
  }

  /**
   * The accept path's own connections: one per batch in flight (per wallet instance), each under a
   * statement_timeout, so a charge batch ends (commits or rolls back) within a known time and the wallet can
   * answer truthfully before its caller gives up. Its own pool, so other work can never starve the accept path.
   */
  public static Pool acceptPool(Vertx vertx, GatewayConfig config, long statementTimeoutMs) {
    int connections = config.instances().wallet() * config.charge().maxInFlightBatches();
    return ownPool(vertx, config, "smsgw-pg-accept", connections, statementTimeoutMs);
  }

  /**
   * The bulk verticle's own connections, one per bulk in flight ({@code bulk.max_in_flight}), each under the bulk's
   * statement_timeout ({@code bulk.statement_timeout_ms}): a bulk's transaction ends within a known time, so its
   * answer is true, and a bulk never takes a connection from the accept path or the others.
   */
  public static Pool bulkPool(Vertx vertx, GatewayConfig config) {
    return ownPool(vertx, config, "smsgw-pg-bulk", config.bulk().maxInFlight(), config.bulk().statementTimeoutMs());
  }

  /** A path's own small pool (shared by its verticle instances), its connections under a statement_timeout. */
  private static Pool ownPool(Vertx vertx, GatewayConfig config, String name, int connections, long statementTimeoutMs) {
    PoolOptions poolOptions = new PoolOptions()
      .setShared(true)
      .setName(name)
      .setMaxSize(connections)
      .setMaxWaitQueueSize(connections * 2)
      .setConnectionTimeout(2)
      .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
    PgConnectOptions connect = connectOptions(config.pg().url()).addProperty("statement_timeout", String.valueOf(statementTimeoutMs));
    return PgBuilder.pool().with(poolOptions).connectingTo(connect).using(vertx).build();
  }

  public static PgConnectOptions connectOptions(String url) {
    return PgConnectOptions.fromUri(url).setCachePreparedStatements(true).setReconnectAttempts(0);
  }

  /** The same database as a JDBC URL, for Flyway and the command-line invariant check. */
  public static String jdbcUrl(String url) {
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://")
      .append(o.getHost()).append(':').append(o.getPort()).append('/').append(o.getDatabase())
      .append("?user=").append(o.getUser());
    if (o.getPassword() != null && !o.getPassword().isEmpty()) {
      jdbc.append("&password=").append(o.getPassword());
    }
    return jdbc.toString();
  }
}
