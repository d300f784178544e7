package io.smsgw.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The real services every test talks to, started once per test JVM: PostgreSQL, Kafka and Redis, stopped when the
 * JVM exits. Where they come from is chosen once:
 * <ul>
 *   <li>{@code containers}: Testcontainers (PostgreSQL 15, apache/kafka, redis:7-alpine), when a Docker engine answers;</li>
 *   <li>{@code embedded}: the dev kit's embedded services (PostgreSQL binaries, a broker JVM, redis-server) on free
 *       ports, with no Docker at all.</li>
 * </ul>
 * {@code -Dsmsgw.test.services=embedded|containers} (or {@code SMSGW_TEST_SERVICES}) forces the choice; the
 * default, {@code auto}, takes containers when Docker is available. The same tests run either way.
 */
public final class TestServices {

  private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);

  public enum Kind { EMBEDDED, CONTAINERS }

  private static Kind kind;
  private static TestPostgres postgres;
  private static TestKafka kafka;
  private static TestRedis redis;

  private TestServices() {
  }

  /** Embedded or containers, decided (and logged) once per JVM. */
  public static synchronized Kind kind() {
    if (kind == null) {
      String wanted = System.getProperty("smsgw.test.services", System.getenv().getOrDefault("SMSGW_TEST_SERVICES", "auto"))
        .trim().toLowerCase(Locale.ROOT);
      kind = switch (wanted) {
        case "embedded" -> Kind.EMBEDDED;
        case "containers" -> Kind.CONTAINERS;
        case "auto", "" -> dockerAvailable() ? Kind.CONTAINERS : Kind.EMBEDDED;
        default -> throw new IllegalArgumentException("smsgw.test.services=" + wanted + ": embedded, containers or auto");
      };
      LOG.info("test services: {} ({})", kind == Kind.CONTAINERS ? "Testcontainers" : "the dev kit's embedded services",
        "auto".equals(wanted) || wanted.isEmpty() ? "auto: Docker " + (kind == Kind.CONTAINERS ? "available" : "not available")
          : "smsgw.test.services=" + wanted);
    }
    return kind;
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  public static synchronized TestPostgres postgres() {
    if (postgres == null) postgres = startOnce("PostgreSQL", () -> newPostgres("pg"));
    return postgres;
  }

  public static synchronized TestKafka kafka() {
    if (kafka == null) {
      kafka = startOnce("the Kafka broker", () -> kind() == Kind.CONTAINERS ? ContainerServices.kafka()
        : EmbeddedServices.kafka(root().resolve("kafka-" + ProcessHandle.current().pid())));
    }
    return kafka;
  }

  public static synchronized TestRedis redis() {
    if (redis == null) redis = startOnce("Redis", () -> newRedis("redis"));
    return redis;
  }

  /** A Redis server of its own, for a test that stops or flushes it; the caller closes it. */
  public static TestRedis privateRedis(String name) throws Exception {
    return newRedis(name);
  }

  /** A fresh PostgreSQL of its own, for a test that stops it; the caller closes it. */
  public static TestPostgres privatePostgres(String name) throws Exception {
    return newPostgres(name);
  }

  private static TestPostgres newPostgres(String name) throws Exception {
    return kind() == Kind.CONTAINERS ? ContainerServices.postgres() : EmbeddedServices.postgres(root().resolve(name + "-" + uniqueSuffix()));
  }

  private static TestRedis newRedis(String name) throws Exception {
    return kind() == Kind.CONTAINERS ? ContainerServices.redis() : EmbeddedServices.redis(root().resolve(name + "-" + uniqueSuffix()));
  }

  private static String uniqueSuffix() {
    return ProcessHandle.current().pid() + "-" + System.nanoTime();
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
      throw new IllegalStateException("could not start " + name + " (" + kind() + ")", e);
    }
  }

  private static Path root() throws java.io.IOException {
    Path root = Path.of("target", "test-services").toAbsolutePath();
    Files.createDirectories(root);
    return root;
  }
}
