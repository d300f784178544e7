package io.smsgw.devkit;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.simulator.smpp.SmscSimulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What {@code ./smsgw dev} starts besides the gateway: a real PostgreSQL, a real Kafka broker and a real Redis on
 * free ports, unless SMSGW_PG_URL / SMSGW_KAFKA_BOOTSTRAP / SMSGW_REDIS_URL point at existing ones. Closing stops
 * what it started.
 */
public final class DevEnvironment implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DevEnvironment.class);
  public static final String DEV_ADMIN_TOKEN = "dev-admin-token";
  /** Where the gateway takes the provider's delivery reports (its API port). */
  public static final String DELIVERY_REPORTS_PATH = "/provider/delivery-reports";
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Which simulator {@code ./smsgw dev} sends through when no provider is configured: {@code http}, {@code smpp}, or
   * {@code both} (each simulator a provider of routing.providers, {@value #BOTH_HTTP_ID} and {@value #BOTH_SMPP_ID}:
   * numbers starting {@code +98} go to the SMSC first, the others to the HTTP simulator first; each fails over to the other).
   */
  public static final String DEV_PROVIDER_ENV = "SMSGW_DEV_PROVIDER";
  public static final String BOTH_HTTP_ID = "sim-http";
  public static final String BOTH_SMPP_ID = "sim-smpp";

  private final List<AutoCloseable> started = new ArrayList<>();
  private GatewayConfig config;
  private boolean httpSimulator;
  private SmscSimulator smsc;

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
    if (config.provider().url().isEmpty() && !config.provider().smpp()) {
      String kind = System.getenv().getOrDefault(DEV_PROVIDER_ENV, "http");
      switch (kind) {
        case "http" -> {
          config = withDeliveryReports(withLocalSimulator(config));
          httpSimulator = true;
        }
        case "smpp" -> config = withLocalSmsc(config);
        case "both" -> {
          config = withBothSimulators(withDeliveryReports(withLocalSimulator(config)));
          httpSimulator = true;
        }
        default -> throw new IllegalArgumentException(DEV_PROVIDER_ENV + " is http, smpp or both, not '" + kind + "'");
      }
    }
    if (config.admin().token().isEmpty()) {
      config = config.with("admin", "token", DEV_ADMIN_TOKEN);
    }
    // A webhook receiver on the developer's own machine (http://localhost:...): refused anywhere else by default.
    config = config.with("webhooks", "allow_loopback", "on").with("webhooks", "allow_http", "on");
    this.config = config;
  }

  /**
   * The provider simulator on a free port (unless provider_sim.port is set) and the workers pointed at it. Its delivery
   * reports are a separate choice ({@link #withDeliveryReports}): {@code ./smsgw dev} and the benchmarks make it; test
   * pods opt in (most tests are about sending, and a message that moves on to delivered half a second after it was
   * sent would race their checks of 'sent').
   */
  public static GatewayConfig withLocalSimulator(GatewayConfig config) {
    int port = config.providerSim().port() > 0 ? config.providerSim().port() : FreePorts.next();
    return config.with("provider_sim", "port", port).with("provider", "url", "http://127.0.0.1:" + port);
  }

  /**
   * The dev kit's SMSC simulator (SMPP over TCP, provider_sim.* behaviour and magic numbers, receipts on) on a free
   * port, and the workers bound to it with provider_sim's system_id and password.
   */
  private GatewayConfig withLocalSmsc(GatewayConfig config) throws java.io.IOException {
    smsc = SmscSimulator.start(config.providerSim());
    started.add(smsc);
    return config.with("provider", "kind", "smpp")
      .with("smpp", "host", "127.0.0.1").with("smpp", "port", smsc.port())
      .with("smpp", "system_id", config.providerSim().smppSystemId())
      .with("smpp", "password", config.providerSim().smppPassword());
  }

  /**
   * Both simulators as two providers with routes ({@code SMSGW_DEV_PROVIDER=both}): {@code +98} numbers to the SMSC
   * first, every other number to the HTTP simulator first, each failing over to the other.
   */
  private GatewayConfig withBothSimulators(GatewayConfig config) throws java.io.IOException {
    smsc = SmscSimulator.start(config.providerSim());
    started.add(smsc);
    return withRoutes(config, smsc.port());
  }

  /** routing.providers and routing.routes for the HTTP simulator at provider.url and an SMSC simulator on {@code smscPort}. */
  public static GatewayConfig withRoutes(GatewayConfig config, int smscPort) {
    JsonArray providers = new JsonArray()
      .add(new JsonObject().put("id", BOTH_HTTP_ID).put("kind", "http"))
      .add(new JsonObject().put("id", BOTH_SMPP_ID).put("kind", "smpp").put("settings", new JsonObject()
        .put("host", "127.0.0.1").put("port", smscPort)
        .put("system_id", config.providerSim().smppSystemId()).put("password", config.providerSim().smppPassword())));
    JsonArray routes = new JsonArray()
      .add(new JsonObject().put("prefix", "+98").put("providers", new JsonArray().add(BOTH_SMPP_ID).add(BOTH_HTTP_ID)))
      .add(new JsonObject().put("prefix", "").put("providers", new JsonArray().add(BOTH_HTTP_ID).add(BOTH_SMPP_ID)));
    return config.with("routing", "providers", providers).with("routing", "routes", routes);
  }

  /**
   * The local simulator's delivery reports go to this pod's API port ({@code provider_sim.dlr_url} empty →
   * {@code http://127.0.0.1:<http.port>/provider/delivery-reports}, unless http.port is 0), signed with a secret both sides
   * know: when {@code provider.dlr_secret} and {@code provider_sim.dlr_secret} are both empty, one random 32-byte hex
   * secret for both. A secret that is set is left as it is, the other one too: a test that sets only the gateway's
   * posts its own reports, and the simulator's (unsigned, or signed with another secret) are refused and retried.
   */
  public static GatewayConfig withDeliveryReports(GatewayConfig config) {
    if (config.provider().dlrSecret().isEmpty() && config.providerSim().dlrSecret().isEmpty()) {
      String secret = HexFormat.of().formatHex(randomBytes(32));
      config = config.with("provider", "dlr_secret", secret).with("provider_sim", "dlr_secret", secret);
    }
    // http.port 0 (a port the pod picks) is not known yet: then no reports unless dlr_url is set.
    if (config.providerSim().dlrUrl().isEmpty() && config.http().port() > 0) {
      config = config.with("provider_sim", "dlr_url", deliveryReportsUrl(config.http().port()));
    }
    return config;
  }

  /** The delivery-report endpoint of a pod on this host whose API listens on {@code httpPort}. */
  public static String deliveryReportsUrl(int httpPort) {
    return "http://127.0.0.1:" + httpPort + DELIVERY_REPORTS_PATH;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** Whether this environment runs the HTTP provider simulator (no provider was configured, and SMSGW_DEV_PROVIDER is http or both). */
  public boolean runsSimulator() {
    return httpSimulator;
  }

  /** The SMSC simulator this environment runs (SMSGW_DEV_PROVIDER=smpp or both), or null. */
  public SmscSimulator smsc() {
    return smsc;
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
