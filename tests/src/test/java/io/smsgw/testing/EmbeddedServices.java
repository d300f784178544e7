package io.smsgw.testing;

import io.smsgw.devkit.EmbeddedKafka;
import io.smsgw.devkit.EmbeddedPostgresServer;
import io.smsgw.devkit.EmbeddedRedis;

import java.nio.file.Path;

/** The dev kit's embedded services (no Docker needed): PostgreSQL binaries, a Kafka broker JVM, redis-server. */
final class EmbeddedServices {

  private EmbeddedServices() {
  }

  static TestPostgres postgres(Path dataDir) throws Exception {
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir).start();
    return new TestPostgres() {
      @Override public String url() { return server.url(); }
      @Override public void stop() throws Exception { server.stop(); }
      @Override public void start() throws Exception { server.start(); }
      @Override public void close() throws Exception { server.close(); }
    };
  }

  static TestKafka kafka(Path dir) throws Exception {
    EmbeddedKafka broker = new EmbeddedKafka(dir).start();
    return new TestKafka() {
      @Override public String bootstrapServers() { return broker.bootstrapServers(); }
      @Override public void stop() throws Exception { broker.stop(); }
      @Override public void start() throws Exception { broker.start(); }
      @Override public void close() throws Exception { broker.close(); }
    };
  }

  static TestRedis redis(Path dir) throws Exception {
    EmbeddedRedis server = new EmbeddedRedis(dir).start();
    return new TestRedis() {
      @Override public String url() { return server.url(); }
      @Override public int port() { return server.port(); }
      @Override public void stop() throws Exception { server.stop(); }
      @Override public void start() throws Exception { server.start(); }
      @Override public void flushAll() throws Exception { server.flushAll(); }
      @Override public void close() throws Exception { server.close(); }
    };
  }
}
