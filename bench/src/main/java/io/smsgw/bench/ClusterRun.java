package io.smsgw.bench;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.ChildPod;
import io.smsgw.wallet.BalanceModes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code cluster}: gateways, edge pods and workers as separate processes forming one Vert.x cluster (Hazelcast on
 * loopback), the load spread round-robin over every HTTP pod. The edge pods run no wallet: each of their sends is
 * charged by a gateway's wallet verticle over the clustered bus. First a steady window with no fault (throughput and
 * CPU per message of each pod and of the cluster), then one gateway and then one worker are SIGKILLed and started
 * again; how fast the others forget the dead pod is read off {@code GET /admin/cluster} of a surviving pod. Then,
 * message by message, the chaos run's verdict: lost, sent twice, charged twice, false 503s, the money invariants.
 */
final class ClusterRun {

  private ClusterRun() {
  }

  static int run(BenchArgs args, GatewayConfig config) throws Exception {
    double rate = args.decimal("rate", 500);
    double duration = args.decimal("duration", 150);
    int gateways = args.integer("gateways", 2);
    int edges = args.integer("edges", 1);
    int workers = args.integer("workers", 2);
    int users = args.integer("users", 1_000);
    int maxInFlight = args.integer("max-in-flight", 4_096);
    int connections = args.integer("connections", 128);
    long timeoutMs = args.integer("client-timeout-ms", 15_000);
    double settleTimeout = args.decimal("settle-timeout", 600);
    double steady = args.decimal("steady", 30);  // seconds of load before the first kill: the CPU window
    double workerKillAt = args.decimal("worker-kill-at", 65);
    long restartAfterMs = args.integer("restart-after-ms", 3_000);
    // Then the edge pod (the last HTTP pod) is SIGSTOPped past the heartbeat timeout and SIGCONTed: the partition case.
    double pauseAt = args.decimal("pause-at", 105);
    long pauseMs = args.integer("pause-ms", 15_000);
    if (gateways < 2 || workers < 1) throw new IllegalArgumentException("--gateways >= 2 (one is killed) and --workers >= 1");
    BalanceModes modes = BalanceModes.from(config);
    boolean async = modes.anyAsync();

    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now());
    Path dir = Path.of("target", "cluster-" + stamp);
    ChaosCluster.Layout layout = new ChaosCluster.Layout(gateways, edges, workers, true);
    JsonObject settings = new JsonObject().put("rate", rate).put("duration_s", duration).put("gateways", gateways)
      .put("edges", edges).put("workers", workers).put("users", users).put("max_in_flight", maxInFlight)
      .put("connections_per_pod", connections).put("client_timeout_ms", timeoutMs).put("settle_timeout_s", settleTimeout)
      .put("steady_s", steady).put("worker_kill_at_s", workerKillAt).put("restart_after_ms", restartAfterMs)
      .put("pause_at_s", pauseAt).put("pause_ms", pauseMs)
      .put("traffic", ChaosTraffic.describe()).put("logs", dir.toString())
      .put("child_jvm", "-Xmx384m -XX:+UseParallelGC -XX:TieredStopAtLevel=1");

    try (ChaosCluster cluster = new ChaosCluster(config, dir, layout)) {
      settings.put("balance", modes.toString()).put("child_env", cluster.childSettings())
        .put("provider_sim_latency_ms", cluster.config.providerSim().latencyMs())
        .put("provider_sim_max_per_second", cluster.config.providerSim().maxPerSecond())
        .put("cluster_max_no_heartbeat_s", cluster.config.cluster().maxNoHeartbeatS())
        .put("cluster_heartbeat_interval_s", cluster.config.cluster().heartbeatIntervalS());
      BenchReport report = new BenchReport("cluster", settings);
      List<ChildPod> http = cluster.httpPods();
      PodCpu cpu = new PodCpu(cluster);
      ClusterProbe probe = new ClusterProbe(http.get(http.size() - 1).readyPort, cluster.adminToken());
      JsonObject formed = probe.view();
      int members = formed.getJsonArray("members", new JsonArray()).size();
      if (members != layout.size()) throw new IllegalStateException("the cluster has " + members + " members, not " + layout.size() + ": " + formed.encode());
      List<JsonObject> accounts = cluster.createUsers(users, 1_000_000_000L);
      ChaosTraffic traffic = new ChaosTraffic(accounts);
      System.out.printf("cluster: %d gateway(s), %d edge pod(s), %d worker(s) in one cluster, balance %s; %,.0f/s for %.0f s (logs in %s)%n",
        gateways, edges, workers, modes, rate, duration, dir);

      // What the pods cost with no traffic at all (heartbeats, polls, timers): the part of the CPU that does not grow with load.
      double idleSeconds = args.decimal("idle", 10);
      System.out.printf("cluster: %.0f s idle (the pods' CPU with no traffic)...%n", idleSeconds);
      PodCpu.Reading idleFrom = cpu.read(null, cluster);
      Thread.sleep((long) (idleSeconds * 1000));
      JsonObject idle = PodCpu.window(idleFrom, cpu.read(null, cluster), cluster);
      report.put("idle", idle);

      Vertx client = Vertx.vertx();
      List<TrackedLoad> loads = new ArrayList<>();
      double warmup = args.decimal("warmup", 15);
      double warmupRate = Math.min(rate, args.decimal("warmup-rate", 300));
      settings.put("warmup_s", warmup).put("warmup_rate", warmupRate);
      if (warmup > 0 && warmupRate * warmup >= 1) {
        System.out.printf("cluster: warming up for %.0f s at %,.0f/s...%n", warmup, warmupRate);
        TrackedLoad warm = new TrackedLoad(client, cluster.gatewayPorts(), connections, maxInFlight, timeoutMs, warmupRate, warmup);
        warm.run(warmupRate, traffic, System.nanoTime()).toCompletionStage().toCompletableFuture().join();
        loads.add(warm);
      }

      TrackedLoad load = new TrackedLoad(client, cluster.gatewayPorts(), connections, maxInFlight, timeoutMs, rate, duration);
      loads.add(load);
      double loadAtStart = loadAverage();
      long start = System.nanoTime();
      List<double[]> samples = new ArrayList<>();  // t_s, accepted, sent, 5xx, then accepted by each HTTP pod
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      long[] last = new long[3 + http.size()];
      sampler.scheduleAtFixedRate(() -> {
        long[] now = new long[last.length];
        now[0] = load.accepted.sum();
        now[1] = cluster.simulator.deliveredCount();
        now[2] = load.answered5xx.sum();
        for (int p = 0; p < http.size(); p++) now[3 + p] = load.acceptedByPort[p].sum();
        double[] sample = new double[1 + now.length];
        sample[0] = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        for (int k = 0; k < now.length; k++) sample[1 + k] = now[k] - last[k];
        synchronized (samples) {
          samples.add(sample);
        }
        System.arraycopy(now, 0, last, 0, now.length);
      }, 1, 1, TimeUnit.SECONDS);

      // The steady window: from 5 s into the load (past its start-up) to the first kill.
      double windowFrom = Math.min(5, steady / 2);
      PodKills kills = new PodKills(cluster, probe, restartAfterMs, start);
      Thread faults = new Thread(() -> {
        try {
          sleepUntil(start, windowFrom);
          PodCpu.Reading before = cpu.read(load, cluster);
          sleepUntil(start, steady);
          PodCpu.Reading after = cpu.read(load, cluster);
          report.put("steady", PodCpu.window(before, after, cluster, idle));
          kills.killAndRestart(cluster.gateways.get(0));
          sleepUntil(start, Math.max(workerKillAt, kills.secondsSinceStart() + 5));
          kills.killAndRestart(cluster.workers.get(0));
          if (pauseMs > 0) {
            sleepUntil(start, Math.max(pauseAt, kills.secondsSinceStart() + 5));
            // watched from a gateway that is never killed or paused
            kills.pauseAndResume(http.get(http.size() - 1), pauseMs,
              new ClusterProbe(cluster.gateways.get(cluster.gateways.size() - 1).readyPort, cluster.adminToken()));
          }
        } catch (Exception e) {
          kills.failed(e);
        }
      }, "cluster-faults");
      faults.setDaemon(true);
      faults.start();
      load.run(rate, traffic, start).toCompletionStage().toCompletableFuture().join();
      double loadAtEnd = loadAverage();
      System.out.printf("cluster: load done after %.1f s (accepted %,d); waiting for the kills to be over...%n", load.seconds(), load.accepted.sum());
      faults.join();

      JsonArray settleProgress = new JsonArray();
      double settleSeconds = ChaosRun.settle(cluster, loads, async, settleTimeout, settleProgress);
      sampler.shutdown();
      sampler.awaitTermination(5, TimeUnit.SECONDS);
      client.close().toCompletionStage().toCompletableFuture().join();
      System.out.println("cluster: " + (settleSeconds < 0 ? "NOT settled within " + settleTimeout + " s" : "settled after " + settleSeconds + " s") + "; checking...");

      JsonObject verdict = ChaosVerdict.compute(loads, cluster);
      verdict.forEach(e -> report.put(e.getKey(), e.getValue()));
      List<double[]> acceptedPerSecond;
      List<double[]> sentPerSecond;
      JsonArray sampleJson = new JsonArray();
      synchronized (samples) {
        acceptedPerSecond = samples.stream().map(s -> new double[] {s[0], s[1]}).toList();
        sentPerSecond = samples.stream().map(s -> new double[] {s[0], s[2]}).toList();
        for (double[] s : samples) {
          JsonObject byPod = new JsonObject();
          for (int p = 0; p < http.size(); p++) byPod.put(http.get(p).name, (long) s[4 + p]);
          sampleJson.add(new JsonObject().put("t_s", s[0]).put("accepted", (long) s[1]).put("sent", (long) s[2]).put("5xx", (long) s[3])
            .put("accepted_by_pod", byPod));
        }
      }
      JsonArray killsJson = new JsonArray();
      List<PodKills.Kill> done = kills.done();
      for (int n = 0; n < done.size(); n++) {
        PodKills.Kill k = done.get(n);
        double horizon = k.downSeconds() + 5;
        if (n + 1 < done.size()) horizon = Math.min(horizon, done.get(n + 1).atSeconds() - k.atSeconds());
        killsJson.add(k.json()
          .put("accepted_recovered_s", ChaosVerdict.recoveredTo(acceptedPerSecond, k.atSeconds(), horizon, duration, rate))
          .put("sent_recovered_s", ChaosVerdict.recovered(sentPerSecond, k.atSeconds(), horizon, duration)));
      }
      JsonObject pauseJson = null;
      if (kills.pause() != null) {
        PodKills.Pause pause = kills.pause();
        int edge = http.size() - 1;
        // When the paused pod accepts again: the first second after SIGCONT in which it accepted at least half its share.
        double resumedAt = pause.atSeconds() + pause.pausedSeconds();
        double share = rate / http.size();
        Double acceptingAgain = null;
        List<double[]> copy;
        synchronized (samples) {
          copy = List.copyOf(samples);
        }
        for (double[] s : copy) {
          if (s[0] > resumedAt + 1 && s[4 + edge] >= share / 2) {
            acceptingAgain = Math.round((s[0] - resumedAt) * 10) / 10.0;
            break;
          }
        }
        pauseJson = pause.json().put("accepting_again_after_resume_s", acceptingAgain);
      }

      JsonArray pods = new JsonArray();
      JsonObject acceptedByPod = new JsonObject();
      long edgeAccepted = 0;
      for (int p = 0; p < http.size(); p++) {
        long n = 0;
        for (TrackedLoad l : loads) n += l.acceptedByPort[p].sum();
        acceptedByPod.put(http.get(p).name, n);
        if (cluster.edges.contains(http.get(p))) edgeAccepted += n;
      }
      for (ChildPod pod : cluster.all()) {
        pods.add(new JsonObject().put("name", pod.name).put("kind", cluster.edges.contains(pod) ? "edge" : pod.role)
          .put("starts", pod.starts()).put("port", pod.readyPort));
      }
      ChildPod oneGateway = cluster.gateways.get(cluster.gateways.size() - 1);  // the one never killed
      long oneGatewayAccepted = 0;
      for (TrackedLoad l : loads.subList(loads.size() - 1, loads.size())) oneGatewayAccepted += l.acceptedByPort[http.indexOf(oneGateway)].sum();
      report.put("balance", modes.toString())
        .put("pods", pods)
        .put("cluster_members_at_start", members)
        .put("load_seconds", Math.round(load.seconds() * 10) / 10.0)
        .put("load_requests", load.total)
        .put("accepted_per_s", Math.round(load.accepted.sum() / duration))
        .put("accepted_per_s_one_gateway", Math.round(oneGatewayAccepted / duration))
        .put("one_gateway", oneGateway.name)
        .put("accepted_by_pod", acceptedByPod)
        .put("edge_accepted", edgeAccepted)
        .latency("accepted_http_", load.acceptedLatencyMicros)
        .put("kills", killsJson)
        .put("pause", pauseJson)
        .put("kill_errors", new JsonArray(kills.errors()))
        .put("settle_seconds", settleSeconds < 0 ? null : settleSeconds)
        .put("settle_progress", settleProgress)
        .put("load_average_1m_at_load_start", loadAtStart)
        .put("load_average_1m_at_load_end", loadAtEnd)
        .put("samples", sampleJson);
      boolean pauseOk = pauseMs <= 0 || (pauseJson != null && pauseJson.getValue("member_again_after_resume_s") != null
        && pauseJson.getValue("accepting_again_after_resume_s") != null);
      boolean clean = kills.errors().isEmpty() && done.size() == 2 && pauseOk && edgeAccepted > 0 && verdict.getBoolean("invariants_ok")
        && settleSeconds >= 0 && ChaosVerdict.MUST_BE_ZERO.stream().allMatch(k -> verdict.getLong(k) == 0);
      report.put("clean", clean);
      var previous = report.write();
      JsonObject r = report.json();
      JsonObject steadyJson = r.getJsonObject("steady", new JsonObject());
      System.out.printf("cluster: %d pods; offered %,.0f/s → accepted %,d/s in all, %,d/s by %s, by pod %s, edge_accepted %,d; "
          + "steady: cluster %s ms CPU/message, %s above idle; machine %s, %s above idle (%s); kills %s; pause %s; lost %d, duplicate_sends %d, double_charges %d, false_503 %d, "
          + "5xx %s, invariants %s → %s %s%n",
        layout.size(), rate, r.getLong("accepted_per_s"), r.getLong("accepted_per_s_one_gateway"), oneGateway.name,
        acceptedByPod.encode(), edgeAccepted, steadyJson.getValue("cluster_cpu_ms_per_message"),
        steadyJson.getValue("marginal_cluster_cpu_ms_per_message"), steadyJson.getValue("machine_cpu_ms_per_message"),
        steadyJson.getValue("marginal_machine_cpu_ms_per_message"),
        steadyJson.getJsonObject("pods", new JsonObject()).encode(), killsJson.encode(), pauseJson == null ? "none" : pauseJson.encode(), r.getLong("lost"), r.getLong("duplicate_sends"),
        r.getLong("double_charges"), r.getLong("false_503"), r.getJsonObject("answered_5xx").encode(),
        r.getBoolean("invariants_ok") ? "OK" : "BROKEN", clean ? "CLEAN" : "NOT CLEAN", r.getString("file"));
      previous.ifPresent(p -> System.out.printf("previous run (%s): accepted_per_s %s, edge_accepted %s, lost %s, duplicate_sends %s%n",
        p.getString("commit"), p.getValue("accepted_per_s"), p.getValue("edge_accepted"), p.getValue("lost"), p.getValue("duplicate_sends")));
      return clean ? 0 : 1;
    }
  }

  private static void sleepUntil(long startNanos, double seconds) throws InterruptedException {
    long waitMs = (long) ((seconds - (System.nanoTime() - startNanos) / 1e9) * 1000);
    if (waitMs > 0) Thread.sleep(waitMs);
  }

  private static double loadAverage() {
    return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
  }
}
