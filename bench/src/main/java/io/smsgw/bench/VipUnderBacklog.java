package io.smsgw.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * {@code vip-under-backlog}: accept a large normal backlog while no worker runs, then start the worker and,
 * while the backlog drains, send VIP messages at a steady rate. Measures VIP accept-to-sent (sent_at minus
 * accepted_at, both written by the service) and how many normal messages were waiting meanwhile.
 */
final class VipUnderBacklog {

  private VipUnderBacklog() {
  }

  static boolean run(BenchEnvironment env, BenchArgs args) throws Exception {
    int backlog = args.integer("backlog", 200_000);
    double fillRate = args.decimal("fill-rate", 4_000);
    double vipRate = args.decimal("rate", 20);
    double vipSeconds = args.decimal("duration", 30);
    JsonObject settings = new JsonObject().put("backlog", backlog).put("fill_rate", fillRate)
      .put("vip_rate", vipRate).put("vip_seconds", vipSeconds)
      .put("provider_latency_ms", env.config.providerSim().latencyMs())
      .put("provider_max_per_second", env.config.providerSim().maxPerSecond())
      .put("instances", env.config.json().getJsonObject("instances"));
    BenchReport report = new BenchReport("vip-under-backlog", settings);

    List<JsonObject> users = env.createUsers(100, 1_000_000_000L);
    OpenLoopLoad load = new OpenLoopLoad(env.client, env.config.http().port(), 256);
    System.out.printf("filling a normal backlog of %,d (no worker running)...%n", backlog);
    OpenLoopLoad.Result fill = load.run(fillRate, backlog / fillRate, i -> {
      JsonObject user = users.get(i % users.size());
      return OpenLoopLoad.Request.of(user.getString("api_key"),
        BenchEnvironment.sms(user, "+98912" + String.format(java.util.Locale.ROOT, "%07d", i % 10_000_000), "Normal message number " + i, "normal"));
    }).await();
    report.put("fill_accepted", fill.count(200)).put("fill_accepted_per_s", Math.round(fill.count(200) / fill.seconds()));

    long waitingAtStart = env.count("SELECT count(*) FROM messages WHERE priority = 'normal' AND status = 'pending'");
    System.out.printf("backlog: %,d normal messages waiting; starting the worker and %s VIP/s for %s s%n",
      waitingAtStart, vipRate, vipSeconds);
    env.startWorker();
    // Measure the lane, not the consumer group's first join: start once the worker is sending.
    while (env.count("SELECT count(*) FROM messages WHERE status IN ('sent', 'delivered', 'undelivered')") == 0) Thread.sleep(50);
    long vipStartMs = System.currentTimeMillis();
    OpenLoopLoad.Result vip = load.run(vipRate, vipSeconds, i -> {
      JsonObject user = users.get(i % users.size());
      return OpenLoopLoad.Request.of(user.getString("api_key"),
        BenchEnvironment.sms(user, "+98935" + String.format(java.util.Locale.ROOT, "%07d", i), "Your code is " + (100_000 + i), "vip"));
    }).await();
    long waitingAtEnd = env.count("SELECT count(*) FROM messages WHERE priority = 'normal' AND status = 'pending'");
    env.awaitZero("SELECT count(*) FROM messages WHERE priority = 'vip' AND status = 'pending'", 60);

    Histogram vipLatency = stage(env, "sent_at - accepted_at", vipStartMs);
    report.put("normal_waiting_at_vip_start", waitingAtStart)
      .put("normal_waiting_at_vip_end", waitingAtEnd)
      .put("vip_accepted", vip.count(200))
      .put("vip_sent", vipLatency.getTotalCount())
      .latency("vip_accept_to_sent_", vipLatency)
      // Where the time goes: from the accept to the claim's transaction (Kafka both ways, the consumer, the claim's
      // wait for a connection and CPU; last_attempt_at is the claim's now()), and from there to the provider's answer.
      .latency("vip_accept_to_claim_", stage(env, "last_attempt_at - accepted_at", vipStartMs))
      .latency("vip_claim_to_sent_", stage(env, "sent_at - last_attempt_at", vipStartMs))
      .latency("vip_http_", vip.latencyMicros());

    System.out.println("VIP measured; draining the normal backlog...");
    Drain.finish(env, report, args);
    // The normal backlog's drain rate from the first to the last send (the worker started with the VIP window).
    long drained = env.count("SELECT count(*) FROM messages WHERE priority = 'normal' AND status IN ('sent', 'delivered', 'undelivered')");
    long drainMs = env.count("SELECT coalesce((extract(epoch FROM max(sent_at) - min(sent_at)) * 1000)::bigint, 0) "
      + "FROM messages WHERE priority = 'normal' AND status IN ('sent', 'delivered', 'undelivered')");
    long lost = report.json().getLong("lost");
    long duplicates = report.json().getLong("duplicate_sends");
    boolean invariants = report.json().getBoolean("invariants_ok");
    report.put("offered_per_s", vipRate)
      .put("accepted_per_s", Math.round(vip.count(200) / vip.seconds()))
      .put("e2e_per_s", drainMs <= 0 ? null : Math.round(drained * 1000.0 / drainMs))
      .put("p50_ms", report.json().getDouble("vip_accept_to_sent_p50_ms"))
      .put("p99_ms", report.json().getDouble("vip_accept_to_sent_p99_ms"))
      .put("p999_ms", report.json().getDouble("vip_accept_to_sent_p999_ms"));
    var previous = report.write();
    System.out.printf("vip-under-backlog: VIP accept to claim p99 %.1f ms, claim to sent p99 %.1f ms, HTTP p99 %.1f ms%n",
      report.json().getDouble("vip_accept_to_claim_p99_ms"), report.json().getDouble("vip_claim_to_sent_p99_ms"),
      report.json().getDouble("vip_http_p99_ms"));
    System.out.printf("vip-under-backlog: %,d normal waiting → VIP accept-to-sent p50 %.1f ms, p99 %.1f ms, max %.1f ms "
        + "(%d VIP); normal drained at %s/s; lost %d, duplicate sends %d, invariants %s → %s%n",
      waitingAtStart, report.json().getDouble("p50_ms"), report.json().getDouble("p99_ms"),
      report.json().getDouble("vip_accept_to_sent_max_ms"), vipLatency.getTotalCount(), report.json().getValue("e2e_per_s"),
      lost, duplicates, invariants ? "OK" : "BROKEN", report.json().getString("file"));
    previous.ifPresent(p -> System.out.printf("previous run (%s): p50 %s ms, p99 %s ms%n",
      p.getString("commit"), p.getValue("p50_ms"), p.getValue("p99_ms")));
    load.close();
    return lost == 0 && duplicates == 0 && invariants;
  }

  /** The VIP messages accepted since {@code fromMs} and sent: {@code interval} of each, in microseconds. */
  private static Histogram stage(BenchEnvironment env, String interval, long fromMs) {
    Histogram h = new Histogram(3_600_000_000L, 3);
    env.longs("SELECT (extract(epoch FROM " + interval + ") * 1000000)::bigint FROM messages WHERE priority = 'vip' "
        + "AND status IN ('sent', 'delivered', 'undelivered') AND accepted_at >= to_timestamp(" + fromMs + " / 1000.0)")
      .forEach(v -> h.recordValue(Math.max(1, v)));
    return h;
  }
}
