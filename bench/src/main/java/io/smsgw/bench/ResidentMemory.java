package io.smsgw.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident set of this JVM (VmRSS in /proc/self/status), in MB; -1 where there is no /proc. In e2e this JVM holds
 * the gateway pod, the worker pod, the provider simulator and the load generator, so its RSS is an upper bound of a
 * gateway pod's.
 */
final class ResidentMemory {

  private ResidentMemory() {
  }

  static long megabytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    } catch (Exception notLinux) {
      // no /proc
    }
    return -1;
  }
}
