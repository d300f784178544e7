package io.smsgw.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code e2e}: gateway and worker together at a fixed offered rate for a while. Measures final statuses per
 * second during the window, whether the backlog (accepted, not yet final) grew, and accept-to-sent latency; delivery
 * reports and status webhook events per second over the same window, and whether their backlogs grew.
 */
final class EndToEnd {

  private EndToEnd() {
  }

  private static long maxRss(JsonArray samples) {
    long max = -1;
    synchronized (samples) {
      for (int i = 0; i < samples.size(); i++) max = Math.max(max, samples.getJsonObject(i).getLong("rss_mb", -1L));
    }
    return max;
  }

  static boolean run(BenchEnvironment env, BenchArgs args) throws Exception {
    // The design's sustained rate (100 million messages a day) by default, so that "sustained" and the backlogs answer
    // whether the whole path keeps up there; ceilings are found with --rate.
    double rate = args.decimal("rate", 1_200);
    double seconds = args.decimal("duration", 60);
    // --driver jvm: the open-loop generator in this JVM at --rate; wrk: wrk + Lua in its own process over
    // --connections keep-alive connections, closed loop (the ceiling, as kannel-bench.sh measures Kannel).
    String driver = args.string("driver", "jvm");
    if (!driver.equals("jvm") && !driver.equals("wrk")) throw new IllegalArgumentException("--driver takes jvm or wrk, not " + driver);
    int connections = args.integer("connections", 64);
    JsonObject settings = new JsonObject().put("rate", rate).put("seconds", seconds).put("users", 1_000)
      .put("mix", "80% GSM-7, 20% Persian (UCS-2), 5% VIP")
      .put("provider_kind", env.config.provider().kind())
      .put("provider_latency_ms", env.config.providerSim().latencyMs())
      .put("provider_max_per_second", env.config.providerSim().maxPerSecond())
      .put("pg_pool_size", env.config.pg().poolSize())
      .put("instances", env.config.json().getJsonObject("instances"))
      .put("driver", driver.equals("jvm") ? "open loop in the bench JVM at the offered rate"
        : "wrk + Lua in its own process, closed loop over " + connections + " connections (the rate is not used)");
    if (driver.equals("wrk")) settings.put("connections", connections).putNull("rate");
    BenchReport report = new BenchReport("e2e", settings);
    List<JsonObject> users = env.createUsers(1_000, 1_000_000_000L);
    TrafficMix mix = new TrafficMix(users);
    EndToEndWebhooks hooks = webhooks(env, args, users, settings);
    env.startWorker();
    OpenLoopLoad load = new OpenLoopLoad(env.client, env.config.http().port(), 512);
    WrkLoad wrk = driver.equals("wrk") ? WrkLoad.prepare(users, env.config.http().port()) : null;

    // Warm-up, not measured: the JIT compiles the gateway and worker paths (async-profiler: without it, a third
    // of a 30 s run's CPU went to the C2 compiler), then the worker catches up so the window starts clean. 60 s: with
    // C2 on (JAVA_OPTS without TieredStopAtLevel) a 20 s warm-up left it compiling through the whole window.
    double warmup = args.decimal("warmup", 60);
    settings.put("warmup_seconds", warmup);
    if (warmup > 0) {
      double warmupRate = Math.min(rate, 1_000);
      System.out.printf("e2e: warming up for %.0f s at %,.0f/s (not measured)...%n", warmup, warmupRate);
      load.run(warmupRate, warmup, mix::request).await();
      long until = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < until && decided(env) < load.acceptedSoFar()) Thread.sleep(200);
    }

    MachineCpu cpu = env.cpu();
    LoadGeneratorCpu loadCpu = new LoadGeneratorCpu(env.client);
    env.resetStatementStats();
    // The steady state: from 10 s in (or a sixth of the run) to the end of the offered load.
    int steadyFrom = (int) Math.max(1, Math.min(10, seconds / 6));
    JsonArray samples = new JsonArray();
    long startMs = System.currentTimeMillis();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    // Cheap per-second counters: accepted as the load generator saw them, final as the provider decided them.
    // (Counting statuses in PostgreSQL every second scans the whole table: it cost the database more than the
    // status writes themselves.) The exact check against PostgreSQL comes after the run.
    sampler.scheduleAtFixedRate(() -> {
      // wrk's answers are not seen here: the gateway's own count of 200s (the warm-up's included, as the generator's is)
      long accepted = wrk == null ? load.acceptedSoFar() : Math.round(gatewayAccepted());
      JsonObject provider = providerStats(env);
      if (provider == null) return;  // the provider did not answer: skip this second
      long decided = provider.getLong("delivered") + provider.getLong("refused_permanently");
      // Pending webhook events from PostgreSQL only where the window starts (and after the load): counting them every
      // second would cost the database as counting statuses did. (Only this thread adds samples.)
      Long webhookPending = hooks != null && samples.size() == steadyFrom ? webhookPending(env) : null;
      java.util.Map<String, Double> byProcess = cpu.busyMsByProcess();  // one walk of the processes a second
      synchronized (samples) {
        JsonObject sample = new JsonObject().put("t_s", (System.currentTimeMillis() - startMs) / 1000)
          .put("backlog", accepted - decided).put("final", decided).put("cpu_busy_ms", MachineCpu.total(byProcess))
          .put("cpu_ms_by_process", new JsonObject(new java.util.LinkedHashMap<>(byProcess)))
          .put("load_cpu_ms", wrk == null ? loadCpu.busyMs() : wrk.cpuMs())
          .put("rss_mb", ResidentMemory.megabytes())
          // Delivery reports the gateway acknowledged (stored), and those the provider still holds (not yet sent or
          // refused and waiting for a retry): a report backlog that keeps growing means reports do not keep up.
          .put("reports_acked", provider.getLong("dlr_sent", 0L)).put("reports_pending", provider.getLong("dlr_pending", 0L));
        if (hooks != null) sample.put("webhook_received", hooks.receiver.received());
        if (webhookPending != null) sample.put("webhook_pending", webhookPending);
        samples.add(sample);
      }
    }, 0, 1, TimeUnit.SECONDS);
    OpenLoopLoad.Result r = null;
    WrkLoad.Result w = null;
    if (wrk == null) {
      r = load.run(rate, seconds, mix::request).await();
    } else {
      // wrk's threads: one per core, as kannel-bench.sh runs it
      wrk.start(args.integer("wrk-threads", 2), connections, seconds);
      w = wrk.await();
    }
    sampler.shutdown();
    sampler.awaitTermination(10, TimeUnit.SECONDS);
    Long webhookPendingAtEnd = hooks == null ? null : env.count(BenchSql.WEBHOOK_EVENTS_PENDING);

    JsonObject start;
    JsonObject first;
    JsonObject last;
    synchronized (samples) {
      int from = Math.min(samples.size() - 1, steadyFrom);
      start = samples.getJsonObject(0);
      first = samples.getJsonObject(from);
      last = samples.getJsonObject(samples.size() - 1);
    }
    // Also over the whole load, ramp-up included: the figure to compare with "N per second for 60 s".
    double wholeWindow = last.getLong("t_s") - start.getLong("t_s");
    long wholeFinals = last.getLong("final") - start.getLong("final");
    double window = last.getLong("t_s") - first.getLong("t_s");
    long finals = last.getLong("final") - first.getLong("final");
    long growth = last.getLong("backlog") - first.getLong("backlog");
    long reports = last.getLong("reports_acked") - first.getLong("reports_acked");
    long reportGrowth = last.getLong("reports_pending") - first.getLong("reports_pending");
    double cpuMs = last.getDouble("cpu_busy_ms") - first.getDouble("cpu_busy_ms");
    double loadMs = last.getDouble("load_cpu_ms") - first.getDouble("load_cpu_ms");
    report.put("cpu_ms_per_message_by_process", perMessage(first.getJsonObject("cpu_ms_by_process"),
      last.getJsonObject("cpu_ms_by_process"), finals));
    report.put("pg_top_statements", env.topStatements(12));
    // From the reset at the window's start to the end of the load: the messages of that span are about the accepted ones
    report.put("pg_wal_per_message", env.walPerMessage(ok(r, w)));
    Drain.finish(env, report, args);
    putWebhookFigures(report, hooks, first, last, window, webhookPendingAtEnd);

    Histogram acceptToSent = new Histogram(3_600_000_000L, 3);
    env.longs("SELECT (extract(epoch FROM sent_at - accepted_at) * 1000000)::bigint FROM messages WHERE status IN ('sent', 'delivered', 'undelivered') "
        + "AND accepted_at >= to_timestamp(" + (startMs + (long) (first.getLong("t_s") * 1000)) + " / 1000.0)")
      .forEach(v -> acceptToSent.recordValue(Math.max(1, v)));
    long ok = ok(r, w);
    double loadSeconds = r != null ? r.seconds() : w.seconds();
    double acceptedRate = ok / loadSeconds;
    report.put("offered_per_s", r != null ? rate : null)
      .put("accepted_per_s", Math.round(acceptedRate))
      .put("e2e_per_s", window <= 0 ? null : Math.round(finals / window))
      .put("steady_window_s", window)
      .put("e2e_per_s_whole_load", wholeWindow <= 0 ? null : Math.round(wholeFinals / wholeWindow))
      .put("whole_load_s", wholeWindow)
      .put("backlog_growth_in_window", growth)
      .put("backlog_at_end_of_load", last.getLong("backlog"))
      .put("delivery_reports_per_s", window <= 0 ? null : Math.round(reports / window))
      .put("report_backlog_growth_in_window", reportGrowth)
      .put("report_backlog_at_end_of_load", last.getLong("reports_pending"))
      // The backlog grew by less than one second of traffic over the window, and the gateway kept up with the
      // offered load (an overloaded gateway answers late: its queue is in front of the backlog, not in it).
      // Closed loop (wrk): the offer is what the gateway answered, so only the backlog says whether the rest kept up.
      .put("sustained", r != null ? growth <= rate && acceptedRate >= 0.98 * rate : growth <= acceptedRate)
      // The run's own processes together (load generator included), over the steady window.
      .put("cpu_busy_pct", window <= 0 ? null : Math.round(cpuMs / (window * 1000 * Runtime.getRuntime().availableProcessors()) * 100))
      .put("cpu_ms_per_message", finals <= 0 ? null : Math.round(cpuMs / finals * 1000) / 1000.0)
      // The same without the load generator's threads (the HTTP client that plays the customers), which share this JVM:
      // what the service cost, with its provider simulator and the webhook receiver still counted.
      // This JVM's largest resident set over the run (gateway, worker, simulator and load generator together).
      .put("jvm_rss_max_mb", maxRss(samples))
      .put("load_generator_cpu_ms_per_message", finals <= 0 ? null : Math.round(loadMs / finals * 1000) / 1000.0)
      .put("service_cpu_ms_per_message", finals <= 0 ? null : Math.round((cpuMs - loadMs) / finals * 1000) / 1000.0)
      .latency("", acceptToSent);
    if (r != null) {
      report.latency("http_", r.latencyMicros()).put("client_failures", new JsonObject(new java.util.TreeMap<String, Object>(r.failures())));
    } else {
      report.put("http_p50_ms", w.p50Ms()).put("http_p99_ms", w.p99Ms()).put("http_p999_ms", w.p999Ms()).put("http_max_ms", w.maxMs())
        .put("answered_other", w.other()).put("answered_other_by_status", w.otherStatuses()).put("socket_errors", w.socketErrors());
    }
    report.put("samples", samples);
    var previous = report.write();
    boolean clean = Drain.clean(report);
    if (w != null) System.out.printf("e2e (wrk, %d connections): %,d answered 200, %,d other (%s), %d socket errors%n",
      connections, w.ok(), w.other(), w.otherStatuses(), w.socketErrors());
    System.out.printf("e2e: offered %,.0f/s → accepted %,d/s, final %s/s over the steady %.0f s (%s/s over all %.0f s; backlog %+d, %s; CPU %s%%, %s ms/message, %s without the load generator; JVM RSS at most %s MB); "
        + "delivery reports %s/s (report backlog %+d); %s"
        + "accept-to-sent p50 %.1f ms, p99 %.1f ms, p999 %.1f ms; HTTP p99 %.1f ms; lost %d, duplicate sends %d, invariants %s → %s%n",
      r != null ? rate : acceptedRate, report.json().getLong("accepted_per_s"), report.json().getValue("e2e_per_s"), window,
      report.json().getValue("e2e_per_s_whole_load"), wholeWindow, growth,
      report.json().getBoolean("sustained") ? "sustained" : "NOT sustained",
      report.json().getValue("cpu_busy_pct"), report.json().getValue("cpu_ms_per_message"),
      report.json().getValue("service_cpu_ms_per_message"), report.json().getValue("jvm_rss_max_mb"),
      report.json().getValue("delivery_reports_per_s"), reportGrowth, webhookSummary(report.json()),
      report.json().getDouble("p50_ms"), report.json().getDouble("p99_ms"), report.json().getDouble("p999_ms"),
      report.json().getDouble("http_p99_ms"), report.json().getLong("lost"), report.json().getLong("duplicate_sends"),
      report.json().getBoolean("invariants_ok") ? "OK" : "BROKEN", report.json().getString("file"));
    System.out.printf("e2e: CPU ms a message by process: %s; PostgreSQL's WAL a message: %s%n",
      report.json().getJsonObject("cpu_ms_per_message_by_process").encode(), report.json().getValue("pg_wal_per_message"));
    previous.ifPresent(p -> System.out.printf("previous run (%s): final %s/s, p99 %s ms%n",
      p.getString("commit"), p.getValue("e2e_per_s"), p.getValue("p99_ms")));
    load.close();
    return clean;
  }

  /** {@code --webhooks on|off} (on), {@code --webhook-share} (1.0), {@code --webhook-verify-every} (100): null when off. */
  private static long ok(OpenLoopLoad.Result r, WrkLoad.Result w) {
    return r != null ? r.count(200) : w.ok();
  }

  /** Each process's CPU ms over the window, per message decided in it (a process that started within it: all of its CPU). */
  private static JsonObject perMessage(JsonObject from, JsonObject to, long finals) {
    JsonObject out = new JsonObject();
    for (String name : to.fieldNames()) {
      double ms = to.getDouble(name) - (from.containsKey(name) ? from.getDouble(name) : 0);
      out.put(name, finals <= 0 ? null : Math.round(ms / finals * 1000) / 1000.0);
    }
    return out;
  }

  private static EndToEndWebhooks webhooks(BenchEnvironment env, BenchArgs args, List<JsonObject> users, JsonObject settings) {
    String onOff = args.string("webhooks", "on");
    if (!onOff.equals("on") && !onOff.equals("off")) throw new IllegalArgumentException("--webhooks takes on or off, not " + onOff);
    settings.put("webhooks", onOff);
    if (onOff.equals("off")) return null;
    double share = args.decimal("webhook-share", 1.0);
    int verifyEvery = args.integer("webhook-verify-every", 100);
    EndToEndWebhooks hooks = EndToEndWebhooks.start(env, users, share, verifyEvery);
    env.closeAtEnd(hooks);
    settings.put("webhook_share", share).put("webhook_users", hooks.users).put("webhook_verify_every", verifyEvery)
      .put("webhook_receiver", "http://127.0.0.1:" + hooks.receiver.port() + BenchWebhookReceiver.PATH + "<user_id>, in the bench JVM");
    System.out.printf("e2e: webhooks for %,d of %,d users → %s%n", hooks.users, users.size(), settings.getString("webhook_receiver"));
    return hooks;
  }

  /**
   * Events the receiver answered per second over the steady window; the pending events in PostgreSQL where the window
   * starts and when the load ends; the receiver's totals after the drain. Null where webhooks are off.
   */
  private static void putWebhookFigures(BenchReport report, EndToEndWebhooks hooks, JsonObject first, JsonObject last,
                                        double window, Long pendingAtEnd) {
    if (hooks == null) {
      for (String key : List.of("webhook_events_per_s", "webhook_backlog_growth_in_window", "webhook_backlog_at_end_of_load",
        "webhook_events_received", "webhook_signature_failures")) report.putNull(key);
      return;
    }
    BenchWebhookReceiver receiver = hooks.receiver;
    long received = last.getLong("webhook_received") - first.getLong("webhook_received");
    Long pendingAtStart = first.getLong("webhook_pending");  // absent when the run was too short to reach the window
    report.put("webhook_events_per_s", window <= 0 ? null : Math.round(received / window))
      .put("webhook_backlog_growth_in_window", pendingAtStart == null ? null : pendingAtEnd - pendingAtStart)
      .put("webhook_backlog_at_end_of_load", pendingAtEnd)
      .put("webhook_events_received", receiver.received())
      .put("webhook_distinct_events", receiver.distinctEvents())
      .put("webhook_redeliveries", receiver.duplicates())
      .put("webhook_untracked_ids", receiver.untrackedIds())
      .put("webhook_signatures_checked", receiver.signaturesChecked())
      .put("webhook_signature_failures", receiver.signatureFailures())
      .put("webhook_misrouted", receiver.misrouted());
  }

  private static String webhookSummary(JsonObject r) {
    if (r.getValue("webhook_events_received") == null) return "webhooks off; ";
    return String.format("webhook events %s/s (webhook backlog %s in the window, %,d pending at the end of the load; "
        + "%,d received, %,d redelivered, %d of %,d checked signatures failed, %d dead, %d left pending); ",
      r.getValue("webhook_events_per_s"), signed(r.getLong("webhook_backlog_growth_in_window")),
      r.getLong("webhook_backlog_at_end_of_load"), r.getLong("webhook_events_received"), r.getLong("webhook_redeliveries"),
      r.getLong("webhook_signature_failures"), r.getLong("webhook_signatures_checked"), r.getLong("webhook_events_dead"),
      r.getLong("webhook_pending_after_drain"));
  }

  private static String signed(Long n) {
    return n == null ? "?" : String.format("%+d", n);
  }

  /** What the gateway of this JVM answered 200 to so far (smsgw_accepted, both lanes). */
  private static double gatewayAccepted() {
    var registry = io.vertx.micrometer.backends.BackendRegistries.getDefaultNow();
    if (registry == null) throw new IllegalStateException("no metrics registry in this JVM: --driver wrk cannot count acceptances");
    return registry.find("smsgw_accepted").counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /** Messages the provider has decided (delivered or refused for good), or -1 if it did not answer. */
  private static long decided(BenchEnvironment env) {
    JsonObject provider = providerStats(env);
    return provider == null ? -1 : provider.getLong("delivered") + provider.getLong("refused_permanently");
  }

  /** Pending webhook events, or null if PostgreSQL did not answer (an exception would end the sampler's schedule). */
  private static Long webhookPending(BenchEnvironment env) {
    try {
      return env.count(BenchSql.WEBHOOK_EVENTS_PENDING);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The simulator's counters, or null if it did not answer. */
  private static JsonObject providerStats(BenchEnvironment env) {
    try {
      return env.providerStats();
    } catch (Exception e) {
      return null;
    }
  }
}
