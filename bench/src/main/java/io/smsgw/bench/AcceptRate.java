package io.smsgw.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@code accept} (many users) and {@code hot-wallet} (one user): the accept path alone. First the latency at
 * 1,200/s (the design's sustained rate), then steps of rising rate until p99 passes 50 ms or requests fail;
 * the highest step that held is the sustained accept rate. The worker starts afterwards and drains
 * everything, so lost messages and the invariants are checked like in every run.
 */
final class AcceptRate {

  private static final double P99_LIMIT_MS = 50;

  private AcceptRate() {
  }

  static boolean run(BenchEnvironment env, BenchArgs args, String scenario, int userCount) throws Exception {
    double stepSeconds = args.decimal("duration", 10);
    double startRate = args.decimal("rate", 1_200);
    double maxRate = args.decimal("max-rate", 20_000);
    userCount = args.integer("users", userCount);
    int connections = args.integer("connections", 256);
    JsonObject settings = new JsonObject().put("users", args.integer("users", userCount))
      .put("connections", args.integer("connections", 256)).put("step_seconds", stepSeconds)
      .put("first_rate", startRate).put("p99_limit_ms", P99_LIMIT_MS).put("warmup_seconds", args.decimal("warmup", 20))
      .put("mix", "80% GSM-7, 20% Persian (UCS-2), 5% VIP")
      .put("pg_pool_size", env.config.pg().poolSize())
      .put("charge", env.config.json().getJsonObject("charge"))
      .put("instances", env.config.json().getJsonObject("instances"));
    BenchReport report = new BenchReport(scenario, settings);
    List<JsonObject> users = env.createUsers(userCount, 1_000_000_000_000L / userCount);
    TrafficMix mix = new TrafficMix(users);
    OpenLoopLoad load = new OpenLoopLoad(env.client, env.config.http().port(), connections);
    long[] sent = {0};

    // Warm-up, not measured: JIT compilation, connection pools, the API-key cache of every user.
    double warmup = args.decimal("warmup", 20);
    if (warmup > 0) {
      System.out.printf("%s: warming up for %.0f s...%n", scenario, warmup);
      long base = sent[0];
      load.run(Math.min(startRate, 400), warmup, i -> mix.request((int) (base + i))).await();
      sent[0] += (long) (Math.min(startRate, 400) * warmup);
    }
    JsonArray steps = new JsonArray();
    double best = 0;
    OpenLoopLoad.Result atDesignRate = null;
    for (double rate = startRate; rate <= maxRate; rate = next(rate)) {
      long base = sent[0];
      OpenLoopLoad.Result r = load.run(rate, stepSeconds, i -> mix.request((int) (base + i))).await();
      sent[0] += r.offered();
      double p99 = r.latencyMicros().getValueAtPercentile(99) / 1000.0;
      long ok = r.count(200);
      boolean held = p99 <= P99_LIMIT_MS && ok == r.offered();
      steps.add(new JsonObject().put("offered_per_s", rate).put("accepted_per_s", Math.round(ok / r.seconds()))
        .put("p50_ms", r.latencyMicros().getValueAtPercentile(50) / 1000.0).put("p99_ms", p99)
        .put("p999_ms", r.latencyMicros().getValueAtPercentile(99.9) / 1000.0).put("statuses", new JsonObject(
          r.byStatus().entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> String.valueOf(e.getKey()), e -> (Object) e.getValue()))))
        .put("client_failures", new JsonObject(new java.util.TreeMap<String, Object>(r.failures()))));
      System.out.printf("%s: %,.0f/s offered → %,d accepted, p50 %.1f ms, p99 %.1f ms %s%n", scenario, rate, ok,
        r.latencyMicros().getValueAtPercentile(50) / 1000.0, p99, held ? "" : "(did not hold)");
      if (atDesignRate == null) atDesignRate = r;
      if (!held) break;
      best = rate;
    }
    report.put("steps", steps).put("offered_per_s", startRate).put("sustained_accept_per_s", best)
      .put("accepted_per_s", best).latency("", atDesignRate.latencyMicros());

    System.out.println("starting the worker to drain what was accepted...");
    env.startWorker();
    Drain.finish(env, report, args);
    boolean clean = Drain.clean(report);
    var previous = report.write();
    System.out.printf("%s: sustained %,.0f accepted/s with p99 ≤ %.0f ms; at %,.0f/s p50 %.1f ms, p99 %.1f ms, p999 %.1f ms; "
        + "lost %d, duplicate sends %d, invariants %s → %s%n", scenario, best, P99_LIMIT_MS, startRate,
      report.json().getDouble("p50_ms"), report.json().getDouble("p99_ms"), report.json().getDouble("p999_ms"),
      report.json().getLong("lost"), report.json().getLong("duplicate_sends"),
      report.json().getBoolean("invariants_ok") ? "OK" : "BROKEN", report.json().getString("file"));
    previous.ifPresent(p -> System.out.printf("previous run (%s): sustained %s/s, p99 at first rate %s ms%n",
      p.getString("commit"), p.getValue("sustained_accept_per_s"), p.getValue("p99_ms")));
    load.close();
    return clean;
  }

  private static double next(double rate) {
    return rate < 2_000 ? rate + 250 : rate + (rate < 6_000 ? 1_000 : 2_000);
  }
}
