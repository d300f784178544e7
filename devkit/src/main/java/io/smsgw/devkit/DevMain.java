package io.smsgw.devkit;

import io.smsgw.account.AccountAddresses;
import io.smsgw.bootstrap.Main;
import io.smsgw.bootstrap.Pod;
import io.smsgw.bootstrap.Role;
import io.smsgw.config.GatewayConfig;
import io.smsgw.config.RoutingSettings;
import io.smsgw.wallet.BalanceModes;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.List;

/**
 * {@code java -jar smsgw-devkit.jar <command>}: {@code dev} (embedded PostgreSQL, Kafka and Redis, the provider
 * simulator, a gateway and a worker in one process, a demo user) or {@code provider-sim} (the simulator alone).
 */
public final class DevMain {

  /** Fixed so the README's curl examples work as written; dev only. */
  static final String DEMO_USER_ID = "00000000-0000-4000-8000-000000000001";
  static final String DEMO_API_KEY = "sk_demo_key_for_local_use_only";

  private DevMain() {
  }

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "" : args[0];
    GatewayConfig config = Main.loadOrExit();
    switch (command) {
      case "dev" -> dev(config);
      case "provider-sim" -> {
        ProviderSimulator simulator = ProviderSimulator.start(config);
        Main.awaitShutdown(simulator::close);
      }
      default -> {
        System.err.println("usage: smsgw-devkit <dev | provider-sim>");
        System.exit(2);
      }
    }
  }

  private static void dev(GatewayConfig fromFile) throws Exception {
    DevEnvironment dev = DevEnvironment.start(fromFile);
    GatewayConfig config = dev.config();
    DevSimulators simulators = null;
    Pod pod;
    try {
      simulators = DevSimulators.start(dev);
      pod = Pod.start(config, EnumSet.of(Role.GATEWAY, Role.WORKER));
    } catch (Exception e) {
      if (simulators != null) simulators.close();
      dev.close();
      throw e;
    }
    JsonObject demo = new JsonObject().put("name", "demo").put("balance", 1_000_000L)
      .put("user_id", DEMO_USER_ID).put("api_key", DEMO_API_KEY);
    // Against an existing database the demo user may be there already (409): that is fine.
    pod.vertx().eventBus().request(AccountAddresses.ACCOUNT_CREATE, demo).otherwiseEmpty().await();
    String base = "http://localhost:" + config.http().port();
    System.out.println(String.join("\n", List.of(
      "",
      "  smsgw dev is up",
      "  Swagger UI    " + base + "/swagger/index.html",
      "  demo user_id  " + DEMO_USER_ID,
      "  demo API key  " + DEMO_API_KEY + "   (balance 1000000)",
      "  admin token   " + config.admin().token(),
      providers(config, dev),
      "  simulators    " + simulators.controlUrl() + "   (POST .../http/stop, .../smpp/start, ...: an outage on demand)",
      "  PostgreSQL    " + config.pg().url(),
      "  Kafka         " + config.kafka().bootstrap(),
      "  Redis         " + config.redis().url(),
      "  balance       " + BalanceModes.from(config),
      "  Ctrl-C stops everything.",
      "")));
    DevSimulators started = simulators;
    Main.awaitShutdown(() -> {
      pod.stop();
      started.close();
      dev.close();
    });
  }

  /** The banner's provider lines: each provider, and the routes when there are any. */
  private static String providers(GatewayConfig config, DevEnvironment dev) {
    StringBuilder out = new StringBuilder();
    for (RoutingSettings.ProviderSpec p : config.routing().providers()) {
      boolean simulated = p.isSmpp() ? dev.smsc() != null : dev.runsSimulator();
      out.append(out.length() == 0 ? "  provider      " : "\n                ").append(p.id()).append("  ")
        .append(p.isSmpp() ? "smpp://" + p.smpp().host() + ":" + p.smpp().port() + " as " + p.smpp().systemId() : p.http().url())
        .append(simulated ? (p.isSmpp() ? "  (SMSC simulator)" : "  (simulator; stats at /v1/stats)") : "");
    }
    for (RoutingSettings.Route r : config.routing().routes()) {
      out.append("\n  route         ").append(r.prefix().isEmpty() ? "any number" : "+" + r.prefix() + "...")
        .append("any".equals(r.lane()) ? "" : " (" + r.lane() + ")").append(" -> ")
        .append(String.join(", ", r.choices().stream().map(RoutingSettings.Choice::providerId).toList()));
    }
    return out.toString();
  }
}
