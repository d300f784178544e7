package io.smsgw.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident set of this JVM (VmRSS in /proc/self/status) or the peak of another process, in MB; -1 where there is
 * no /proc. In e2e this JVM holds
 * the gateway pod, the worker pod, the provider simulator and the load generator, so its RSS is an upper bound of a
 * gateway pod's.
 */
final class ResidentMemory {

  private ResidentMemory() {
  }

  static long megabytes() {
    return field("self", "VmRSS:");
  }

  /** The largest resident set a process has had since it started (VmHWM), in MB; -1 if it is gone or there is no /proc. */
  static long peakMegabytes(long pid) {
    return field(String.valueOf(pid), "VmHWM:");
  }

  private static long field(String pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (line.startsWith(name)) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    } catch (Exception goneOrNotLinux) {
      // no such process, or no /proc
    }
    return -1;
  }
}
