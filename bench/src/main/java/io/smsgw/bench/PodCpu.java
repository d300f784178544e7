package io.smsgw.bench;

import io.smsgw.devkit.ChildPod;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of each pod of the cluster benchmark, of the whole machine's share that the run owns (PostgreSQL, the
 * Kafka broker, this JVM with the load generator and the simulator), and the messages in the same window, so the
 * cost of one message can be read per pod and for the cluster, and projected to a larger machine.
 */
final class PodCpu {

  private final MachineCpu machine;

  PodCpu(ChaosCluster cluster) {
    machine = new MachineCpu(ChaosVerdict.count(cluster.config.pg().url(),
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"));
  }

  /** A reading at one moment: CPU ms of each pod's current process (-1 if not running), of everything, and the counts. */
  record Reading(long nanos, Map<String, Long> pids, Map<String, Double> podMs, double machineMs, double benchJvmMs,
                 long accepted, long sent, long[] acceptedByPort) {
  }

  Reading read(TrackedLoad load, ChaosCluster cluster) {
    Map<String, Long> pids = new LinkedHashMap<>();
    Map<String, Double> ms = new LinkedHashMap<>();
    for (ChildPod pod : cluster.all()) {
      var process = pod.process();
      pids.put(pod.name, process.map(ProcessHandle::pid).orElse(-1L));
      ms.put(pod.name, process.flatMap(p -> p.info().totalCpuDuration()).map(d -> d.toNanos() / 1e6).orElse(-1.0));
    }
    long[] byPort = new long[load == null ? cluster.httpPods().size() : load.acceptedByPort.length];
    for (int p = 0; load != null && p < byPort.length; p++) byPort[p] = load.acceptedByPort[p].sum();
    double self = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6;
    return new Reading(System.nanoTime(), pids, ms, machine.busyMs(), self, load == null ? 0 : load.accepted.sum(),
      cluster.simulator.deliveredCount(), byPort);
  }

  /**
   * The window between two readings: per pod its CPU ms, ms per message of the cluster (accepted in the window) and, for
   * an HTTP pod, per request it accepted itself; the cluster's pods together; the rest (PostgreSQL, Kafka, this JVM).
   * A pod whose process changed between the readings (it was restarted) is left out and named.
   */
  static JsonObject window(Reading from, Reading to, ChaosCluster cluster) {
    return window(from, to, cluster, null);
  }

  /**
   * As above; with {@code idle} (the window of an idle cluster, no load) also the marginal cost: the CPU above what
   * each pod spends idle (heartbeats, polls, timers), per message. That part grows with traffic; the idle part does not.
   */
  static JsonObject window(Reading from, Reading to, ChaosCluster cluster, JsonObject idle) {
    double seconds = (to.nanos() - from.nanos()) / 1e9;
    long accepted = to.accepted() - from.accepted();
    long sent = to.sent() - from.sent();
    List<ChildPod> http = cluster.httpPods();
    JsonObject pods = new JsonObject();
    double podsMs = 0;
    double podsIdleMs = 0;
    boolean complete = true;
    for (ChildPod pod : cluster.all()) {
      long pid = from.pids().get(pod.name);
      if (pid < 0 || pid != to.pids().get(pod.name)) {
        pods.put(pod.name, new JsonObject().put("restarted_in_window", true));
        complete = false;
        continue;
      }
      double ms = to.podMs().get(pod.name) - from.podMs().get(pod.name);
      podsMs += ms;
      JsonObject p = new JsonObject().put("cpu_ms", Math.round(ms)).put("cpu_pct_of_one_core", Math.round(ms / (seconds * 10)))
        // The pod's largest resident set since it started (issue 16: a gateway pod ≤ 512 MB under load).
        .put("rss_peak_mb", ResidentMemory.peakMegabytes(pid))
        .put("cpu_ms_per_cluster_message", accepted == 0 ? null : round3(ms / accepted));
      JsonObject idlePod = idle == null ? null : idle.getJsonObject("pods").getJsonObject(pod.name);
      if (idlePod != null && idlePod.containsKey("cpu_pct_of_one_core") && accepted > 0) {
        double idleMs = idlePod.getDouble("cpu_ms") / idle.getDouble("seconds") * seconds;
        p.put("idle_cpu_pct_of_one_core", idlePod.getValue("cpu_pct_of_one_core"))
          .put("marginal_cpu_ms_per_cluster_message", round3(Math.max(0, ms - idleMs) / accepted));
        podsIdleMs += idleMs;
      }
      int port = http.indexOf(pod);
      if (port >= 0) {
        long own = to.acceptedByPort()[port] - from.acceptedByPort()[port];
        p.put("accepted", own).put("accepted_per_s", Math.round(own / seconds))
          .put("cpu_ms_per_own_accept", own == 0 ? null : round3(ms / own));
      }
      pods.put(pod.name, p);
    }
    double machineMs = to.machineMs() - from.machineMs();
    double benchMs = to.benchJvmMs() - from.benchJvmMs();
    JsonObject result = new JsonObject();
    if (idle != null && accepted > 0) {
      double idleMachineMs = idle.getDouble("machine_cpu_ms") / idle.getDouble("seconds") * seconds;
      result.put("marginal_cluster_cpu_ms_per_message", round3(Math.max(0, podsMs - podsIdleMs) / accepted))
        .put("marginal_machine_cpu_ms_per_message", round3(Math.max(0, machineMs - idleMachineMs) / accepted));
    }
    return result
      .put("seconds", Math.round(seconds * 10) / 10.0)
      .put("accepted", accepted).put("accepted_per_s", Math.round(accepted / seconds))
      .put("sent", sent).put("sent_per_s", Math.round(sent / seconds))
      .put("pods", pods)
      .put("pods_complete", complete)
      .put("cluster_cpu_ms_per_message", accepted == 0 ? null : round3(podsMs / accepted))
      // PostgreSQL, the Kafka broker, and this JVM (load generator, provider simulator, embedded Redis client side)
      .put("services_cpu_ms_per_message", accepted == 0 ? null : round3((machineMs - podsMs - benchMs) / accepted))
      .put("bench_jvm_cpu_ms_per_message", accepted == 0 ? null : round3(benchMs / accepted))
      .put("machine_cpu_ms_per_message", accepted == 0 ? null : round3(machineMs / accepted))
      .put("machine_cpu_ms", Math.round(machineMs))
      .put("machine_cpu_pct", Math.round(machineMs / (seconds * 1000 * Runtime.getRuntime().availableProcessors()) * 100));
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
