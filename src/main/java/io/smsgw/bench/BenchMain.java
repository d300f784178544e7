package io.smsgw.bench;

import io.smsgw.config.GatewayConfig;

/**
 * {@code ./smsgw bench <scenario> [--duration s] [--rate n] [--balance-mode sync|async] [--reservation on|off]
 * [--vip-mode sync|async] ...}: runs one scenario against embedded services,
 * writes {@code bench/results/<time>-<scenario>.json}, prints a summary, and exits non-zero when the run was
 * not clean (messages lost, sent twice, or invariants broken).
 */
public final class BenchMain {

  private BenchMain() {
  }

  private static final java.util.List<String> SCENARIOS = java.util.List.of("accept", "hot-wallet", "e2e", "vip-under-backlog", "stages");

  public static int run(String[] args, GatewayConfig config) throws Exception {
    String scenario = args.length > 1 ? args[1] : "";
    if (!SCENARIOS.contains(scenario)) {
      System.err.println("usage: ./smsgw bench <scenario> [--name value ...]; scenarios: " + String.join(", ", SCENARIOS)
        + " (options: bench/README.md)");
      return 2;
    }
    BenchReport.noteLoadBeforeStart();
    BenchArgs options = new BenchArgs(args, 2);
    // The balance modes, as flags or as SMSGW_BALANCE_MODE / SMSGW_RESERVATION / SMSGW_BALANCE_VIP_MODE.
    config = config.with("balance", "mode", options.string("balance-mode", config.string("balance", "mode")))
      .with("balance", "reservation", options.string("reservation", config.string("balance", "reservation")))
      .with("balance", "vip_mode", options.string("vip-mode", config.string("balance", "vip_mode")));
    System.out.println("balance: " + io.smsgw.reservation.BalanceModes.from(config));
    try (BenchEnvironment env = new BenchEnvironment(config)) {
      boolean clean = switch (scenario) {
        case "accept" -> AcceptRate.run(env, options, scenario, 1_000);
        case "hot-wallet" -> AcceptRate.run(env, options, scenario, 1);
        case "e2e" -> EndToEnd.run(env, options);
        case "vip-under-backlog" -> VipUnderBacklog.run(env, options);
        case "stages" -> Stages.run(env, options);
        default -> throw new IllegalStateException(scenario);
      };
      return clean ? 0 : 1;
    }
  }
}
