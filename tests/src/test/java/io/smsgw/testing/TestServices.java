package io.smsgw.testing;

import io.smsgw.devkit.EmbeddedKafka;
import io.smsgw.devkit.EmbeddedPostgresServer;
import io.smsgw.devkit.EmbeddedRedis;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real services every test talks to, started once per test JVM: PostgreSQL (embedded binaries), the
 * Apache Kafka broker (child JVM) and redis-server (embedded binary), on free ports. Stopped when the JVM exits.
 */
public final class TestServices {

  private static EmbeddedPostgresServer postgres;
  private static EmbeddedKafka kafka;
  private static EmbeddedRedis redis;

  private TestServices() {
  }

  public static synchronized EmbeddedPostgresServer postgres() {
    if (postgres == null) {
      postgres = startOnce("embedded PostgreSQL", () -> new EmbeddedPostgresServer(root().resolve("pg-" + ProcessHandle.current().pid())).start());
    }
    return postgres;
  }

  public static synchronized EmbeddedKafka kafka() {
    if (kafka == null) {
      kafka = startOnce("the Kafka broker", () -> new EmbeddedKafka(root().resolve("kafka-" + ProcessHandle.current().pid())).start());
    }
    return kafka;
  }

  public static synchronized EmbeddedRedis redis() {
    if (redis == null) {
      redis = startOnce("Redis", () -> new EmbeddedRedis(root().resolve("redis-" + ProcessHandle.current().pid())).start());
    }
    return redis;
  }

  /** A Redis server of its own, for a test that stops or flushes it; the caller closes it. */
  public static EmbeddedRedis privateRedis(String name) throws Exception {
    return new EmbeddedRedis(root().resolve(name + "-" + System.nanoTime())).start();
  }

  private interface Starter<T extends AutoCloseable> {
    T start() throws Exception;
  }

  /** Starts a service and closes it when the test JVM exits. */
  private static <T extends AutoCloseable> T startOnce(String name, Starter<T> starter) {
    try {
      T service = starter.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          service.close();
        } catch (Exception ignored) {
          // the JVM is going away
        }
      }));
      return service;
    } catch (Exception e) {
      throw new IllegalStateException("could not start " + name, e);
    }
  }

  /** A fresh PostgreSQL of its own, for a test that stops it. */
  public static EmbeddedPostgresServer privatePostgres(String name) throws Exception {
    return new EmbeddedPostgresServer(root().resolve(name + "-" + System.nanoTime())).start();
  }

  private static Path root() throws java.io.IOException {
    Path root = Path.of("target", "test-services").toAbsolutePath();
    Files.createDirectories(root);
    return root;
  }
}
