package io.smsgw.bench;

import io.smsgw.config.GatewayConfig;
import io.smsgw.wallet.BalanceModes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code chaos}: gateways and workers as separate processes under a steady open-loop load, while processes are
 * killed and paused and PostgreSQL, Kafka (and in async mode Redis) are restarted, one fault at a time. Then it
 * waits until everything is final and checks, message by message, that what the client was told, what
 * PostgreSQL holds and what the provider delivered agree: nothing accepted lost, nothing sent or charged or
 * refunded twice, no "not charged" answer for a charged message. Its own cluster, not {@link BenchEnvironment}.
 */
final class ChaosRun {

  private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);

  private ChaosRun() {
  }

  static int run(BenchArgs args, GatewayConfig config) throws Exception {
    double rate = args.decimal("rate", 2_000);
    double duration = args.decimal("duration", 120);
    int gateways = args.integer("gateways", 2);
    int workers = args.integer("workers", 2);
    int users = args.integer("users", 1_000);
    int maxInFlight = args.integer("max-in-flight", 4_096);
    int connections = args.integer("connections", 256);
    long timeoutMs = args.integer("client-timeout-ms", 15_000);
    double settleTimeout = args.decimal("settle-timeout", 600);
    double firstFault = args.decimal("first-fault", 10);
    double faultEvery = args.decimal("fault-every", 15);
    long restartAfterMs = args.integer("restart-after-ms", 3_000);
    long pauseMs = args.integer("pause-ms", 15_000);
    BalanceModes modes = BalanceModes.from(config);
    boolean async = modes.anyAsync();
    // --faults kind,kind,... (or none): a subset, for trying one fault alone; a run that leaves one out is not clean.
    List<Fault> faults = args.string("faults", "").isEmpty() ? Fault.forMode(async)
      : "none".equals(args.string("faults", "")) ? List.of()
      : java.util.Arrays.stream(args.string("faults", "").split(",")).map(f -> Fault.valueOf(f.trim().toUpperCase(Locale.ROOT))).toList();

    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now());
    Path dir = Path.of("target", "chaos-" + stamp);
    JsonObject settings = new JsonObject().put("rate", rate).put("duration_s", duration).put("gateways", gateways)
      .put("workers", workers).put("users", users).put("max_in_flight", maxInFlight).put("connections_per_gateway", connections)
      .put("client_timeout_ms", timeoutMs).put("settle_timeout_s", settleTimeout).put("first_fault_s", firstFault)
      .put("fault_every_s", faultEvery).put("restart_after_ms", restartAfterMs).put("pause_ms", pauseMs)
      .put("faults", new JsonArray(faults.stream().map(Fault::label).toList()))
      .put("traffic", ChaosTraffic.describe()).put("logs", dir.toString())
      .put("child_jvm", "-Xmx384m -XX:+UseParallelGC -XX:TieredStopAtLevel=1");

    try (ChaosCluster cluster = new ChaosCluster(config, dir, gateways, workers)) {
      settings.put("balance", modes.toString()).put("child_env", cluster.childSettings())
        .put("provider_sim_late_decision_ms", cluster.config.providerSim().lateDecisionMs())
        .put("provider_sim_latency_ms", cluster.config.providerSim().latencyMs())
        .put("provider_sim_max_per_second", cluster.config.providerSim().maxPerSecond())
        // SMSGW_PROVIDER_MAX_PROCESSING_MS only takes effect where conf/ has provider.max_processing_ms.
        .put("provider_max_processing_ms_known", cluster.config.json().getJsonObject("provider").containsKey("max_processing_ms"))
        .put("provider_timeout_ms", cluster.config.provider().timeoutMs())
        .put("sender_claim_ms_conf", cluster.config.sender().claimMs());
      BenchReport report = new BenchReport("chaos", settings);
      List<io.vertx.core.json.JsonObject> accounts = cluster.createUsers(users, 1_000_000_000L);
      ChaosTraffic traffic = new ChaosTraffic(accounts);
      System.out.printf("chaos: %d gateway(s), %d worker(s), balance %s; %,.0f/s for %.0f s, faults %s (logs in %s)%n",
        gateways, workers, modes, rate, duration, settings.getJsonArray("faults").encode(), dir);

      Vertx client = Vertx.vertx();
      // Warm-up, before the clock of the faults starts: four cold JVMs (C1 only) on two cores answered in seconds
      // for the first ~10 s and the in-flight bound dropped requests. Its messages are checked like all others.
      double warmup = args.decimal("warmup", 15);
      double warmupRate = Math.min(rate, args.decimal("warmup-rate", 500));
      settings.put("warmup_s", warmup).put("warmup_rate", warmupRate);
      List<TrackedLoad> loads = new ArrayList<>();
      if (warmup > 0 && warmupRate * warmup >= 1) {
        System.out.printf("chaos: warming up for %.0f s at %,.0f/s (no faults)...%n", warmup, warmupRate);
        TrackedLoad warm = new TrackedLoad(client, cluster.gatewayPorts(), connections, maxInFlight, timeoutMs, warmupRate, warmup);
        warm.run(warmupRate, traffic, System.nanoTime()).toCompletionStage().toCompletableFuture().join();
        loads.add(warm);
      }
      TrackedLoad load = new TrackedLoad(client, cluster.gatewayPorts(), connections, maxInFlight, timeoutMs, rate, duration);
      loads.add(load);
      FaultSchedule schedule = new FaultSchedule(cluster, faults, firstFault, faultEvery, restartAfterMs, pauseMs);
      double loadAtStart = loadAverage();
      long start = System.nanoTime();
      List<double[]> samples = new ArrayList<>();  // t_s, accepted, sent, 5xx, in_flight
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      long[] last = {0, 0, 0};
      sampler.scheduleAtFixedRate(() -> {
        long accepted = load.accepted.sum();
        long sent = cluster.simulator.deliveredCount();
        long fivexx = load.answered5xx.sum();
        synchronized (samples) {
          samples.add(new double[] {Math.round((System.nanoTime() - start) / 1e8) / 10.0, accepted - last[0], sent - last[1],
            fivexx - last[2], load.inFlight.get()});
        }
        last[0] = accepted;
        last[1] = sent;
        last[2] = fivexx;
      }, 1, 1, TimeUnit.SECONDS);
      schedule.start(start);
      load.run(rate, traffic, start).toCompletionStage().toCompletableFuture().join();
      double loadAtEnd = loadAverage();
      System.out.printf("chaos: load done after %.1f s (accepted %,d); waiting for the faults to be over...%n",
        load.seconds(), load.accepted.sum());
      List<Fault.Injected> injected = schedule.await();

      JsonArray settleProgress = new JsonArray();
      double settleSeconds = settle(cluster, loads, async, settleTimeout, settleProgress);
      sampler.shutdown();
      sampler.awaitTermination(5, TimeUnit.SECONDS);
      client.close().toCompletionStage().toCompletableFuture().join();
      System.out.println("chaos: " + (settleSeconds < 0 ? "NOT settled within " + settleTimeout + " s" : "settled after " + settleSeconds + " s") + "; checking...");

      JsonObject verdict = ChaosVerdict.compute(loads, cluster);
      verdict.forEach(e -> report.put(e.getKey(), e.getValue()));
      JsonArray faultsJson = new JsonArray();
      List<double[]> acceptedPerSecond;
      List<double[]> sentPerSecond;
      synchronized (samples) {
        acceptedPerSecond = samples.stream().map(s -> new double[] {s[0], s[1]}).toList();
        sentPerSecond = samples.stream().map(s -> new double[] {s[0], s[2]}).toList();
      }
      Set<String> missing = new HashSet<>(Fault.forMode(async).stream().map(Fault::label).toList());
      for (int n = 0; n < injected.size(); n++) {
        Fault.Injected f = injected.get(n);
        // A dip that starts once the next fault has begun is the next fault's, not this one's.
        double horizon = f.durationSeconds() + 5;
        if (n + 1 < injected.size()) horizon = Math.min(horizon, injected.get(n + 1).atSeconds() - f.atSeconds());
        faultsJson.add(f.json()
          .put("during_load", f.atSeconds() < duration)
          .put("accepted_recovered_s", ChaosVerdict.recovered(acceptedPerSecond, f.atSeconds(), horizon, duration))
          .put("sent_recovered_s", ChaosVerdict.recovered(sentPerSecond, f.atSeconds(), horizon, duration)));
        if (f.atSeconds() < duration && f.error() == null) missing.remove(f.kind().label());
      }
      JsonArray sampleJson = new JsonArray();
      synchronized (samples) {
        for (double[] s : samples) {
          sampleJson.add(new JsonObject().put("t_s", s[0]).put("accepted", (long) s[1]).put("sent", (long) s[2])
            .put("5xx", (long) s[3]).put("in_flight", (long) s[4]));
        }
      }
      report.put("balance", modes.toString())
        .put("load_seconds", Math.round(load.seconds() * 10) / 10.0)
        .put("warmup_requests", loads.size() > 1 ? loads.get(0).total : 0)
        .put("load_requests", load.total)
        .put("load_accepted", load.accepted.sum())
        .put("accepted_per_s", Math.round(load.accepted.sum() / duration))
        .latency("accepted_http_", load.acceptedLatencyMicros)
        .put("settle_seconds", settleSeconds < 0 ? null : settleSeconds)
        .put("settle_progress", settleProgress)
        .put("faults", faultsJson)
        .put("faults_missing", new JsonArray(new ArrayList<>(missing)))
        .put("load_average_1m_at_load_start", loadAtStart)
        .put("load_average_1m_at_load_end", loadAtEnd)
        .put("samples", sampleJson);
      boolean clean = missing.isEmpty() && verdict.getBoolean("invariants_ok") && settleSeconds >= 0
        && ChaosVerdict.MUST_BE_ZERO.stream().allMatch(k -> verdict.getLong(k) == 0);
      report.put("clean", clean);
      var previous = report.write();
      JsonObject r = report.json();
      // The counts after the rates are over every request, the warm-up's included.
      System.out.printf("chaos: offered %,d at %,.0f/s (+%,d warm-up) → accepted %,d (%,d/s); of all %,d: accepted %,d, not_sent %,d, unanswered %,d (in PG %,d, final %,d), "
          + "5xx %s, 4xx %s; lost %d, duplicate_sends %d, double_charges %d, double_refunds %d, refunds_of_delivered %d, "
          + "false_503 %d, resends_absorbed %d, invariants %s; faults %d/%d%s → %s %s%n",
        r.getLong("load_requests"), rate, r.getLong("warmup_requests"), r.getLong("load_accepted"), r.getLong("accepted_per_s"),
        r.getLong("requests"), r.getLong("accepted"), r.getLong("not_sent"),
        r.getLong("unanswered"), r.getLong("unanswered_in_pg"), r.getLong("unanswered_final"),
        r.getJsonObject("answered_5xx").encode(), r.getJsonObject("answered_4xx").encode(),
        r.getLong("lost"), r.getLong("duplicate_sends"), r.getLong("double_charges"), r.getLong("double_refunds"),
        r.getLong("refunds_of_delivered"), r.getLong("false_503"), r.getLong("resends_absorbed"),
        r.getBoolean("invariants_ok") ? "OK" : "BROKEN", Fault.forMode(async).size() - missing.size(), Fault.forMode(async).size(),
        missing.isEmpty() ? "" : " (missing " + missing + ")", clean ? "CLEAN" : "NOT CLEAN", r.getString("file"));
      previous.ifPresent(p -> System.out.printf("previous run (%s): accepted %s, lost %s, duplicate_sends %s, false_503 %s%n",
        p.getString("commit"), p.getValue("accepted"), p.getValue("lost"), p.getValue("duplicate_sends"), p.getValue("false_503")));
      return clean ? 0 : 1;
    }
  }

  /**
   * Waits until no message in PostgreSQL is pending and, in async mode, every 200-answered id has reached
   * PostgreSQL. Returns the seconds it took, or -1 at the timeout.
   */
  static double settle(ChaosCluster cluster, List<TrackedLoad> loads, boolean async, double timeoutSeconds,
                               JsonArray progress) throws Exception {
    long start = System.nanoTime();
    String pgUrl = cluster.config.pg().url();
    long accepted = 0;
    for (TrackedLoad load : loads) accepted += load.accepted.sum();
    long lastReport = 0;
    while (true) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      try {
        long pending = ChaosVerdict.count(pgUrl, "SELECT count(*) FROM messages WHERE status = 'pending'");
        boolean settled = pending == 0;
        long missing = -1;
        if (settled && async) {
          Set<UUID> inPg = ChaosVerdict.messageIds(pgUrl);
          missing = 0;
          for (TrackedLoad load : loads) {
            for (int i = 0; i < load.total; i++) {
              if (load.outcome[i] == TrackedLoad.ACCEPTED && !inPg.contains(load.id(i))) missing++;
            }
          }
          settled = missing == 0;
        }
        if (settled) return Math.round(elapsed * 10) / 10.0;
        if (elapsed - lastReport >= 10) {
          lastReport = (long) elapsed;
          JsonObject where = pendingBreakdown(pgUrl);
          progress.add(where.put("t_s", Math.round(elapsed)).put("accepted_not_in_pg", missing));
          System.out.printf("chaos: settling, %.0f s: %,d pending%s (of %,d accepted): %s%n", elapsed, pending,
            missing > 0 ? ", " + missing + " accepted not in PostgreSQL yet" : "", accepted, where.encode());
        }
      } catch (RuntimeException e) {
        LOG.warn("chaos: settle check failed: {}", e.toString());
      }
      if (elapsed > timeoutSeconds) return -1;
      Thread.sleep(2_000);
    }
  }

  /**
   * Where the pending messages wait, every 10 s of the settling: not yet acknowledged by Kafka (the outbox), in
   * Kafka and never claimed, claimed now (a send in progress, or a lease of a dead or paused worker), or due for a
   * retry whose time has come and that no retry scan has taken yet.
   */
  private static JsonObject pendingBreakdown(String pgUrl) {
    String sql = "SELECT count(*) FILTER (WHERE published_at IS NULL),"
      + " count(*) FILTER (WHERE published_at IS NOT NULL AND claimed_until IS NULL),"
      + " count(*) FILTER (WHERE claimed_until > now()),"
      + " count(*) FILTER (WHERE claimed_until <= now()),"
      + " count(*) FILTER (WHERE attempts > 0)"
      + " FROM messages WHERE status = 'pending'";
    try (var c = java.sql.DriverManager.getConnection(io.smsgw.platform.pg.Database.jdbcUrl(pgUrl)); var st = c.createStatement();
         var rs = st.executeQuery(sql)) {
      rs.next();
      return new JsonObject().put("unpublished", rs.getLong(1)).put("published_unclaimed", rs.getLong(2))
        .put("claimed", rs.getLong(3)).put("claim_expired", rs.getLong(4)).put("attempted", rs.getLong(5));
    } catch (java.sql.SQLException e) {
      return new JsonObject().put("error", e.toString());
    }
  }

  private static double loadAverage() {
    return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
  }
}
