package io.smsgw.bench;

import io.vertx.core.json.JsonObject;

/**
 * The end of every run: wait until nothing is pending, then count lost and twice-delivered messages and check the money;
 * then wait until no status webhook event is pending and count the dead ones.
 */
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
    finishWebhooks(env, report, args.decimal("webhook-drain-timeout", 120));
  }

  /**
   * Waits until no webhook event is pending and the provider holds no delivery report (a report still to come makes a
   * 'delivered' event after every message is final), at most {@code timeoutSeconds}. A run without webhooks waits for
   * nothing.
   */
  private static void finishWebhooks(BenchEnvironment env, BenchReport report, double timeoutSeconds) throws InterruptedException {
    long start = System.nanoTime();
    Double seconds = 0.0;
    if (env.count(BenchSql.WEBHOOKS_REGISTERED) > 0 || env.count(BenchSql.WEBHOOK_EVENTS_PENDING) > 0) {
      while (env.count(BenchSql.WEBHOOK_EVENTS_PENDING) > 0 || reportsPending(env) > 0) {
        if ((System.nanoTime() - start) / 1e9 > timeoutSeconds) break;
        Thread.sleep(200);
      }
      double took = (System.nanoTime() - start) / 1e9;
      seconds = took > timeoutSeconds ? null : Math.round(took * 10) / 10.0;
    }
    report.put("webhook_drain_seconds", seconds)
      .put("webhook_pending_after_drain", env.count(BenchSql.WEBHOOK_EVENTS_PENDING))
      .put("webhook_events_dead", env.count(BenchSql.WEBHOOK_EVENTS_DEAD));
  }

  /** Delivery reports the simulator has not had acknowledged yet; 0 if it does not say or does not answer. */
  private static long reportsPending(BenchEnvironment env) {
    try {
      return env.providerStats().getLong("dlr_pending", 0L);
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * Clean: nothing lost or sent twice, the money adds up, and no webhook event left pending or dead, nor (where a
   * receiver ran) a signature that did not verify.
   */
  static boolean clean(BenchReport report) {
    JsonObject r = report.json();
    return r.getLong("lost") == 0 && r.getLong("duplicate_sends") == 0 && r.getBoolean("invariants_ok")
      && r.getLong("webhook_pending_after_drain") == 0 && r.getLong("webhook_events_dead") == 0
      && (r.getValue("webhook_signature_failures") == null || r.getLong("webhook_signature_failures") == 0);
  }
}
