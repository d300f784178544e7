package io.smsgw.testing;

import io.smsgw.devkit.EmbeddedPostgresServer;
import io.smsgw.devkit.FreePorts;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;

/**
 * The same services from Testcontainers (a Docker engine is needed): {@code postgres:15-alpine} (the production
 * major version), {@code apache/kafka} of the broker version we build against, and {@code redis:7-alpine}.
 * <p>A container is published on a fixed free host port, so that a test can stop and start it again (docker
 * stop/start, or a kill for Redis) and the gateway finds it at the same address, as with the embedded services.
 */
final class ContainerServices {

  static final String POSTGRES_IMAGE = "postgres:15-alpine";
  static final String KAFKA_IMAGE = "apache/kafka:" + System.getProperty("smsgw.test.kafka.version", "4.1.1");
  static final String REDIS_IMAGE = "redis:7-alpine";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private ContainerServices() {
  }

  static TestPostgres postgres() {
    int port = FreePorts.next();
    PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE)
      .withDatabaseName(EmbeddedPostgresServer.DATABASE)
      .withUsername("postgres")
      .withPassword("postgres")
      // the embedded server's settings: durability on, enough connections for several pods, statement statistics
      .withCommand("postgres", "-c", "max_connections=200", "-c", "fsync=on", "-c", "synchronous_commit=on",
        "-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all",
        "-c", "shared_buffers=1GB", "-c", "max_wal_size=8GB", "-c", "checkpoint_timeout=15min", "-c", "wal_compression=on",
        "-c", "autovacuum_naptime=10s", "-c", "autovacuum_vacuum_cost_limit=2000");
    container.setPortBindings(List.of(port + ":" + PostgreSQLContainer.POSTGRESQL_PORT));
    container.start();
    String url = "postgresql://postgres:postgres@127.0.0.1:" + port + "/" + EmbeddedPostgresServer.DATABASE;
    return new TestPostgres() {
      @Override public String url() { return url; }
      @Override public void stop() { stopContainer(container); }
      @Override public void start() throws Exception {
        startContainer(container);
        awaitDatabase(url);
      }
      @Override public void close() { container.stop(); }
    };
  }

  static TestKafka kafka() {
    int port = FreePorts.next();
    KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
      .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
      .withEnv("KAFKA_NUM_PARTITIONS", "1")
      .withEnv("KAFKA_MIN_INSYNC_REPLICAS", "1")
      .withEnv("KAFKA_DEFAULT_REPLICATION_FACTOR", "1");
    container.setPortBindings(List.of(port + ":9092"));
    container.start();
    String bootstrap = "127.0.0.1:" + port;
    return new TestKafka() {
      @Override public String bootstrapServers() { return bootstrap; }
      // SIGTERM, an orderly broker shutdown; the log stays in the container, the advertised port is the fixed one
      @Override public void stop() { stopContainer(container); }
      @Override public void start() throws Exception {
        startContainer(container);
        awaitPort(port);
      }
      @Override public void close() { container.stop(); }
    };
  }

  static TestRedis redis() {
    int port = FreePorts.next();
    GenericContainer<?> container = new GenericContainer<>(REDIS_IMAGE)
      .withExposedPorts(6379)
      .withCommand("redis-server", "--save", "", "--appendonly", "no")
      .waitingFor(Wait.forListeningPort());
    container.setPortBindings(List.of(port + ":6379"));
    container.start();
    return new TestRedis() {
      @Override public String url() { return "redis://127.0.0.1:" + port; }
      @Override public int port() { return port; }
      // a kill, no save: everything it held is gone, as after a crash
      @Override public void stop() {
        container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
      }
      @Override public void start() throws Exception {
        startContainer(container);
        awaitPort(port);
      }
      @Override public void flushAll() throws Exception {
        var result = container.execInContainer("redis-cli", "FLUSHALL");
        if (!result.getStdout().trim().equals("OK")) throw new IOException("FLUSHALL: " + result);
      }
      @Override public void close() { container.stop(); }
    };
  }

  private static void stopContainer(GenericContainer<?> container) {
    container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(30).exec();
  }

  private static void startContainer(GenericContainer<?> container) {
    container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
  }

  private static void awaitPort(int port) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) throw new IOException("nothing listens on " + port + " after " + START_TIMEOUT);
        Thread.sleep(200);
      }
    }
  }

  private static void awaitDatabase(String url) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (var c = DriverManager.getConnection(io.smsgw.platform.pg.Database.jdbcUrl(url)); var s = c.createStatement()) {
        s.execute("SELECT 1");
        return;
      } catch (java.sql.SQLException notYet) {
        if (System.nanoTime() > deadline) throw notYet;
        Thread.sleep(200);
      }
    }
  }
}
