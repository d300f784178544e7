package io.smsgw;

import io.smsgw.bench.BenchMain;
import io.smsgw.config.GatewayConfig;
import io.smsgw.dev.DevEnvironment;
import io.smsgw.dev.ParentWatch;
import io.smsgw.ops.InvariantCheck;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar smsgw.jar <command>}:
 * {@code dev} (embedded PostgreSQL and Kafka, every role, a demo user),
 * {@code gateway | worker | all} (a production pod against configured services),
 * {@code check-invariants} (the money invariants on a live database).
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** Fixed so the README's curl examples work as written; dev only. */
  static final String DEMO_USER_ID = "00000000-0000-4000-8000-000000000001";
  static final String DEMO_API_KEY = "sk_demo_key_for_local_use_only";

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    if ("true".equals(System.getenv("SMSGW_EXIT_WITH_PARENT"))) ParentWatch.start();  // a child process in tests
    String command = args.length == 0 ? "" : args[0];
    GatewayConfig config = GatewayConfig.load(System.getenv().getOrDefault("SMSGW_CONF", GatewayConfig.DEFAULT_PATH), System.getenv());
    switch (command) {
      case "dev" -> withEmbeddedServices(() -> dev(config));
      case "gateway", "worker", "all", "provider-sim" -> run(config, command);
      case "check-invariants" -> System.exit(checkInvariants(config));
      case "bench" -> withEmbeddedServices(() -> System.exit(BenchMain.run(args, config)));
      default -> {
        System.err.println("usage: smsgw <dev | gateway | worker | all | provider-sim | check-invariants | bench <scenario>>");
        System.exit(2);
      }
    }
  }

  private interface Command {
    void run() throws Exception;
  }

  /** dev and bench start embedded PostgreSQL, Kafka and Redis; the container image leaves their jars out. */
  private static void withEmbeddedServices(Command command) throws Exception {
    try {
      command.run();
    } catch (NoClassDefFoundError missing) {
      System.err.println("dev and bench need the embedded services' jars (" + missing.getMessage() + " is missing): "
        + "run them from a Maven build (./smsgw). The container image has only gateway, worker, all, provider-sim "
        + "and check-invariants.");
      System.exit(2);
    }
  }

  private static void run(GatewayConfig config, String role) throws Exception {
    Set<Role> roles = Role.parse(role);
    if (roles.contains(Role.GATEWAY)) {
      var problem = io.smsgw.config.AdminTokenRule.problem(config.adminToken());
      if (problem.isPresent()) {
        System.err.println("refusing to start a gateway: " + problem.get() + ". Set SMSGW_ADMIN_TOKEN to "
          + io.smsgw.config.AdminTokenRule.MIN_LENGTH + "+ random characters, e.g. $(openssl rand -hex 32).");
        System.exit(2);
      }
    }
    Pod pod = Pod.start(config, roles);
    awaitShutdown(pod::stop);
  }

  private static void dev(GatewayConfig fromFile) throws Exception {
    DevEnvironment dev = DevEnvironment.start(fromFile);
    GatewayConfig config = dev.config();
    Pod pod;
    try {
      Set<Role> roles = EnumSet.of(Role.GATEWAY, Role.WORKER);
      if (dev.runsSimulator(fromFile)) roles.add(Role.PROVIDER_SIM);
      pod = Pod.start(config, roles);
    } catch (Exception e) {
      dev.close();
      throw e;
    }
    JsonObject demo = new JsonObject().put("name", "demo").put("balance", 1_000_000L)
      .put("user_id", DEMO_USER_ID).put("api_key", DEMO_API_KEY);
    // Against an existing database the demo user may be there already (409): that is fine.
    pod.vertx().eventBus().request(Addresses.ACCOUNT_CREATE, demo).otherwiseEmpty().await();
    String base = "http://localhost:" + config.httpPort();
    System.out.println(String.join("\n", List.of(
      "",
      "  smsgw dev is up",
      "  Swagger UI    " + base + "/swagger/index.html",
      "  demo user_id  " + DEMO_USER_ID,
      "  demo API key  " + DEMO_API_KEY + "   (balance 1000000)",
      "  admin token   " + config.adminToken(),
      "  provider      " + config.string("provider", "url") + (dev.runsSimulator(fromFile) ? "  (simulator; stats at /v1/stats)" : ""),
      "  PostgreSQL    " + config.pgUrl(),
      "  Kafka         " + config.kafkaBootstrap(),
      "  Redis         " + config.string("redis", "url"),
      "  balance       " + io.smsgw.reservation.BalanceModes.from(config),
      "  Ctrl-C stops everything.",
      "")));
    awaitShutdown(() -> {
      pod.stop();
      dev.close();
    });
  }

  private static int checkInvariants(GatewayConfig config) throws Exception {
    if (config.pgUrl().isEmpty()) {
      System.err.println("set SMSGW_PG_URL (postgresql://user@host:port/db)");
      return 2;
    }
    List<InvariantCheck.Violation> violations = InvariantCheck.run(config.pgUrl(), InvariantCheck.Bounds.of(config));
    System.out.println("checked " + InvariantCheck.summary(config.pgUrl()));
    violations.forEach(v -> System.out.println("VIOLATION " + v));
    System.out.println(violations.isEmpty() ? "invariants OK" : violations.size() + " invariant(s) broken");
    return violations.isEmpty() ? 0 : 1;
  }

  /** Ctrl-C / SIGTERM: stop the pod (in-flight work finishes), then whatever dev started. */
  private static void awaitShutdown(Stopper stopper) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stopper.stop();
      } catch (Exception e) {
        LOG.warn("shutdown: {}", e.toString());
      } finally {
        stopped.countDown();
      }
    }, "smsgw-shutdown"));
    stopped.await();
  }

  @FunctionalInterface
  private interface Stopper {
    void stop() throws Exception;
  }
}
