package io.smsgw.bench;

import io.vertx.core.json.JsonObject;

/** The end of every run: wait until nothing is pending, then count lost and twice-delivered messages and check the money. */
final class Drain {

  private Drain() {
  }

  static void finish(BenchEnvironment env, BenchReport report, BenchArgs args) throws Exception {
    report.put("balance", io.smsgw.wallet.BalanceModes.from(env.config).toString());
    if (io.smsgw.wallet.BalanceModes.from(env.config).anyAsync()) report.put("settlement", env.awaitSettlement());
    double seconds = env.awaitZero("SELECT count(*) FROM messages WHERE status = 'pending'", args.decimal("drain-timeout", 600));
    long lost = env.count("SELECT count(*) FROM messages WHERE status = 'pending'");
    long sent = env.count("SELECT count(*) FROM messages WHERE status IN ('sent', 'delivered', 'undelivered')");
    JsonObject provider = env.providerStats();
    report.put("drain_seconds", seconds < 0 ? null : Math.round(seconds * 10) / 10.0)
      .put("lost", lost)
      .put("duplicate_sends", provider.getLong("delivered") - sent)
      .put("provider", provider)
      .put("invariants_ok", env.invariantsOk());
  }

  static boolean clean(BenchReport report) {
    JsonObject r = report.json();
    return r.getLong("lost") == 0 && r.getLong("duplicate_sends") == 0 && r.getBoolean("invariants_ok");
  }
}
