package io.smsgw.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of everything a benchmark runs: this JVM (gateway, worker, simulator, load generator), its child
 * processes (the Kafka broker) and the PostgreSQL server with its backends, including backends that have
 * exited. Other processes on the machine (a build, a second session) are not counted, so the figure "CPU per
 * message" holds even when the machine is shared or saturated and throughput alone is noisy.
 */
final class MachineCpu {

  private static final double MS_PER_TICK = 10.0;  // USER_HZ is 100 on the Linux kernels this runs on

  private final ProcessHandle postmaster;

  /** {@code postgresChildPid}: a long-lived child process of the server (its parent is the postmaster). */
  MachineCpu(long postgresChildPid) {
    this.postmaster = ProcessHandle.of(postgresChildPid).flatMap(ProcessHandle::parent).orElse(null);
  }

  /** Milliseconds of CPU (user + system, all cores) so far. */
  double busyMs() {
    return total(busyMsByProcess());
  }

  /** The sum of a {@link #busyMsByProcess} reading. */
  static double total(Map<String, Double> byProcess) {
    return byProcess.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /**
   * The same milliseconds by process: {@code bench_jvm} (gateway, worker, simulator and the JVM generator),
   * {@code postgres} (the server, its backends, exited ones included) and each kind of child by its command's name
   * ({@code kafka_broker} for the child JVM, {@code wrk}). Where a message's CPU goes, read in every run.
   */
  Map<String, Double> busyMsByProcess() {
    Map<String, Double> parts = new TreeMap<>();
    ProcessHandle self = ProcessHandle.current();
    parts.put("bench_jvm", ms(self));
    self.descendants().forEach(child -> parts.merge(childName(child), ms(child), Double::sum));
    if (postmaster != null) {
      parts.put("postgres", ms(postmaster) + postmaster.descendants().mapToDouble(MachineCpu::ms).sum()
        + reapedChildrenMs(postmaster.pid()));
    }
    return parts;
  }

  private static double ms(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6;
  }

  private static String childName(ProcessHandle child) {
    String command = child.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("other");
    return command.equals("java") ? "kafka_broker" : command;  // the bench's only child JVM is the broker
  }

  /** CPU of the postmaster's children that have exited (short-lived connections), from /proc; 0 elsewhere. */
  private static double reapedChildrenMs(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * MS_PER_TICK;  // cutime, cstime (fields 16, 17)
    } catch (Exception notLinux) {
      return 0;
    }
  }
}
