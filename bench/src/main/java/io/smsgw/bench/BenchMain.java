package io.smsgw.bench;

import io.smsgw.config.ConfigException;
import io.smsgw.config.GatewayConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./smsgw bench <scenario> [--duration s] [--rate n] [--balance-mode sync|async] [--reservation on|off]
 * [--vip-mode sync|async] ...}: runs one scenario against embedded services,
 * writes {@code bench/results/<time>-<scenario>.json}, prints a summary, and exits non-zero when the run was
 * not clean (messages lost, sent twice, or invariants broken).
 */
public final class BenchMain {

  private BenchMain() {
  }

  /** One scenario: true when the run was clean. */
  private interface Scenario {
    boolean run(BenchEnvironment env, BenchArgs options) throws Exception;
  }

  private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("accept", (env, options) -> AcceptRate.run(env, options, "accept", 1_000));
    SCENARIOS.put("hot-wallet", (env, options) -> AcceptRate.run(env, options, "hot-wallet", 1));
    SCENARIOS.put("e2e", EndToEnd::run);
    SCENARIOS.put("vip-under-backlog", VipUnderBacklog::run);
    SCENARIOS.put("stages", Stages::run);
    SCENARIOS.put("bulk", BulkSend::run);
  }

  /** Scenarios with their own environment (processes they start, stop and kill), not {@link BenchEnvironment}. */
  private interface OwnEnvironment {
    int run(BenchArgs options, GatewayConfig config) throws Exception;
  }

  private static final Map<String, OwnEnvironment> OWN_ENVIRONMENT = new LinkedHashMap<>();

  static {
    OWN_ENVIRONMENT.put("chaos", ChaosRun::run);
    OWN_ENVIRONMENT.put("cluster", ClusterRun::run);
  }

  public static void main(String[] args) throws Exception {
    GatewayConfig config = io.smsgw.bootstrap.Main.loadOrExit();
    try {
      System.exit(run(args, config));
    } catch (ConfigException e) {  // a flag that sets a key to a value it does not take (--balance-mode asink)
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /** {@code args}: the scenario's name, then its options. */
  public static int run(String[] args, GatewayConfig config) throws Exception {
    String name = args.length > 0 ? args[0] : "";
    Scenario scenario = SCENARIOS.get(name);
    OwnEnvironment own = OWN_ENVIRONMENT.get(name);
    if (scenario == null && own == null) {
      System.err.println("usage: ./smsgw bench <scenario> [--name value ...]; scenarios: "
        + String.join(", ", SCENARIOS.keySet()) + ", " + String.join(", ", OWN_ENVIRONMENT.keySet()) + " (options: bench/README.md)");
      return 2;
    }
    BenchReport.noteLoadBeforeStart();
    BenchArgs options = new BenchArgs(args, 1);
    // The balance modes, as flags or as SMSGW_BALANCE_MODE / SMSGW_RESERVATION / SMSGW_BALANCE_VIP_MODE.
    config = config.with("balance", "mode", options.string("balance-mode", config.balance().mode()))
      .with("balance", "reservation", options.string("reservation", config.balance().reservation() ? "on" : "off"))
      .with("balance", "vip_mode", options.string("vip-mode", config.balance().vipMode()));
    System.out.println("balance: " + io.smsgw.wallet.BalanceModes.from(config));
    if (own != null) return own.run(options, config);
    try (BenchEnvironment env = new BenchEnvironment(config)) {
      return scenario.run(env, options) ? 0 : 1;
    }
  }
}
