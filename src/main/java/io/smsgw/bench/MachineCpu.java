package io.smsgw.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU time so far (Linux {@code /proc/stat}), so a run can state what one message costs in
 * CPU across every co-located process — a figure that holds even when the machine is saturated and throughput
 * alone is noisy. Zero where {@code /proc/stat} does not exist.
 */
final class MachineCpu {

  private static final double MS_PER_TICK = 10.0;  // USER_HZ is 100 on every Linux this runs on

  private MachineCpu() {
  }

  /** Milliseconds of CPU spent (all cores, not idle or iowait) since boot. */
  static double busyMs() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length; i++) {
        if (i != 4 && i != 5) busy += Long.parseLong(f[i]);  // fields 4 and 5: idle and iowait
      }
      return busy * MS_PER_TICK;
    } catch (Exception notLinux) {
      return 0;
    }
  }
}
