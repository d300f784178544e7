package io.smsgw.bootstrap;

import io.smsgw.config.ConfigException;
import io.smsgw.config.GatewayConfig;
import io.smsgw.operations.InvariantCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar smsgw-service.jar <command>}:
 * {@code gateway | worker | all} (a production pod against configured services),
 * {@code check-invariants} (the money invariants on a live database).
 * {@code ./smsgw dev} and {@code ./smsgw bench} live in the dev kit and the bench modules.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "" : args[0];
    GatewayConfig config = loadOrExit();
    switch (command) {
      case "gateway", "worker", "all" -> run(config, command);
      case "check-invariants" -> System.exit(checkInvariants(config));
      default -> {
        System.err.println("usage: smsgw-service <gateway | worker | all | check-invariants>");
        System.exit(2);
      }
    }
  }

  /**
   * {@code conf/smsgw.json} (or {@code SMSGW_CONF}) with the {@code SMSGW_*} environment; a configuration with problems
   * prints them all, each naming its key, and exits 2 (no stack trace). The dev kit and the bench start the same way.
   */
  public static GatewayConfig loadOrExit() {
    try {
      return GatewayConfig.load(System.getenv().getOrDefault("SMSGW_CONF", GatewayConfig.DEFAULT_PATH), System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      throw e;  // not reached
    }
  }

  private static void run(GatewayConfig config, String role) throws Exception {
    Set<Role> roles = Role.parse(role);
    refuseWeakAdminToken(config, roles);
    Pod pod = Pod.start(config, roles);
    awaitShutdown(pod::stop);
  }

  /** A gateway never starts with a guessable admin token. */
  public static void refuseWeakAdminToken(GatewayConfig config, Set<Role> roles) {
    if (roles.contains(Role.GATEWAY)) {
      var problem = io.smsgw.api.security.AdminTokenRule.problem(config.admin().token());
      if (problem.isPresent()) {
        System.err.println("refusing to start a gateway: " + problem.get() + ". Set SMSGW_ADMIN_TOKEN to "
          + io.smsgw.api.security.AdminTokenRule.MIN_LENGTH + "+ random characters, e.g. $(openssl rand -hex 32).");
        System.exit(2);
      }
    }
  }

  private static int checkInvariants(GatewayConfig config) throws Exception {
    if (config.pg().url().isEmpty()) {
      System.err.println("set SMSGW_PG_URL (postgresql://user@host:port/db)");
      return 2;
    }
    List<InvariantCheck.Violation> violations = InvariantCheck.run(config.pg().url(), InvariantCheck.Bounds.of(config));
    System.out.println("checked " + InvariantCheck.summary(config.pg().url()));
    violations.forEach(v -> System.out.println("VIOLATION " + v));
    System.out.println(violations.isEmpty() ? "invariants OK" : violations.size() + " invariant(s) broken");
    return violations.isEmpty() ? 0 : 1;
  }

  /** Ctrl-C / SIGTERM: stop the pod (in-flight work finishes), then whatever dev started. */
  public static void awaitShutdown(Stopper stopper) throws InterruptedException {
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
  public interface Stopper {
    void stop() throws Exception;
  }
}
