package io.smsgw.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

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
    ProcessHandle self = ProcessHandle.current();
    Stream<ProcessHandle> pg = postmaster == null ? Stream.empty() : Stream.concat(Stream.of(postmaster), postmaster.descendants());
    double ms = Stream.concat(Stream.concat(Stream.of(self), self.descendants()), pg)
      .mapToDouble(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6)
      .sum();
    return ms + (postmaster == null ? 0 : reapedChildrenMs(postmaster.pid()));
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
