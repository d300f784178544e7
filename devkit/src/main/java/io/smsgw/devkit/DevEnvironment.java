package io.smsgw.devkit;

import io.smsgw.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ./smsgw dev} starts besides the gateway: a real PostgreSQL, a real Kafka broker and a real Redis on
 * free ports, unless SMSGW_PG_URL / SMSGW_KAFKA_BOOTSTRAP / SMSGW_REDIS_URL point at existing ones. Closing stops
 * what it started.
 */
public final class DevEnvironment implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DevEnvironment.class);
  public static final String DEV_ADMIN_TOKEN = "dev-admin-token";

  private final List<AutoCloseable> started = new ArrayList<>();
  private GatewayConfig config;

  public static DevEnvironment start(GatewayConfig config) throws Exception {
    DevEnvironment dev = new DevEnvironment();
    try {
      dev.boot(config);
    } catch (Exception e) {
      dev.close();
      throw e;
    }
    return dev;
  }

  private void boot(GatewayConfig base) throws Exception {
    Path root = Files.createTempDirectory("smsgw-dev-");
    started.add(() -> deleteRecursively(root));  // closed last: after the services that use it
    GatewayConfig config = base;
    if (config.pg().url().isEmpty()) {
      LOG.info("starting embedded PostgreSQL");
      EmbeddedPostgresServer pg = new EmbeddedPostgresServer(root.resolve("pg")).start();
      started.add(pg);
      config = config.with("pg", "url", pg.url());
    }
    if (config.kafka().bootstrap().isEmpty()) {
      LOG.info("starting embedded Kafka broker");
      EmbeddedKafka kafka = new EmbeddedKafka(root.resolve("kafka")).start();
      started.add(kafka);
      config = config.with("kafka", "bootstrap", kafka.bootstrapServers());
    }
    if (config.redis().url().isEmpty()) {
      // Always (it starts in milliseconds), so SMSGW_BALANCE_MODE=async works in dev and bench as is.
      LOG.info("starting embedded Redis");
      EmbeddedRedis redis = new EmbeddedRedis(root.resolve("redis")).start();
      started.add(redis);
      config = config.with("redis", "url", redis.url());
    }
    if (config.provider().url().isEmpty()) {
      config = withLocalSimulator(config);
    }
    if (config.admin().token().isEmpty()) {
      config = config.with("admin", "token", DEV_ADMIN_TOKEN);
    }
    // A webhook receiver on the developer's own machine (http://localhost:...): refused anywhere else by default.
    config = config.with("webhooks", "allow_loopback", "on").with("webhooks", "allow_http", "on");
    this.config = config;
  }

  /** The provider simulator on a free port (unless provider_sim.port is set), and the workers pointed at it. */
  public static GatewayConfig withLocalSimulator(GatewayConfig config) {
    int port = config.providerSim().port() > 0 ? config.providerSim().port() : FreePorts.next();
    return config.with("provider_sim", "port", port).with("provider", "url", "http://127.0.0.1:" + port);
  }

  /** Whether this environment runs the simulator (no external provider was configured). */
  public boolean runsSimulator(GatewayConfig original) {
    return original.provider().url().isEmpty();
  }

  public GatewayConfig config() {
    return config;
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        LOG.warn("could not stop {}: {}", started.get(i), e.toString());
      }
    }
    started.clear();
  }

  private static void deleteRecursively(Path root) throws java.io.IOException {
    if (!Files.exists(root)) return;
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
