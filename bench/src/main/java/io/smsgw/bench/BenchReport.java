package io.smsgw.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One benchmark run as a JSON file in {@code bench/results/}, with the machine and settings it ran on, and a
 * one-line comparison with the previous run of the same scenario.
 */
public final class BenchReport {

  public static final Path RESULTS = Path.of("bench", "results");

  private final JsonObject json = new JsonObject();

  public BenchReport(String scenario, JsonObject settings) {
    json.put("scenario", scenario)
      .put("started_at", Instant.now().toString())
      .put("commit", commit())
      .put("machine", machine())
      .put("settings", settings)
      .put("setting", "everything co-located on one machine: PostgreSQL, Kafka, gateway, worker, provider simulator "
        + "and the load generator share its cores");
  }

  public BenchReport putNull(String key) {
    json.putNull(key);
    return this;
  }

  public BenchReport put(String key, Object value) {
    json.put(key, value);
    return this;
  }

  /** p50/p99/p999/max of a histogram of microseconds, in milliseconds, under the given prefix. */
  public BenchReport latency(String prefix, Histogram micros) {
    json.put(prefix + "p50_ms", ms(micros.getValueAtPercentile(50)))
      .put(prefix + "p99_ms", ms(micros.getValueAtPercentile(99)))
      .put(prefix + "p999_ms", ms(micros.getValueAtPercentile(99.9)))
      .put(prefix + "max_ms", ms(micros.getMaxValue()))
      .put(prefix + "samples", micros.getTotalCount());
    return this;
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  public JsonObject json() {
    return json;
  }

  /** Writes the file and returns the previous run of the same scenario, if any. */
  public Optional<JsonObject> write() throws IOException {
    Files.createDirectories(RESULTS);
    Optional<JsonObject> previous = previous(json.getString("scenario"));
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", java.util.Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now());
    Path file = RESULTS.resolve(stamp + "-" + json.getString("scenario") + ".json");
    Files.writeString(file, json.encodePrettily() + "\n");
    json.put("file", file.toString());
    return previous;
  }

  private static Optional<JsonObject> previous(String scenario) throws IOException {
    try (Stream<Path> files = Files.list(RESULTS)) {
      return files.filter(p -> p.getFileName().toString().endsWith("-" + scenario + ".json"))
        .max(Comparator.comparing(Path::getFileName))
        .map(p -> {
          try {
            return new JsonObject(Files.readString(p));
          } catch (IOException e) {
            return null;
          }
        });
    }
  }

  private static double loadBeforeStart = -1;

  /** The machine's 1-minute load average before the run started its services (0 to ~0.3 on a quiet machine). */
  static void noteLoadBeforeStart() {
    loadBeforeStart = Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
  }

  private static JsonObject machine() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new JsonObject()
      .put("cores", Runtime.getRuntime().availableProcessors())
      .put("memory_gb", Math.round(os.getTotalMemorySize() / 1e9))
      // Sessions run on different virtual machines of the same size: the CPU says whether two runs compare, and
      // the load average before the run whether something else was using the cores.
      .put("cpu", cpuModel())
      .put("load_average_1m_before_start", loadBeforeStart)
      .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"))
      .put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
      .put("jvm_flags", new JsonArray(ManagementFactory.getRuntimeMXBean().getInputArguments()));
  }

  private static String cpuModel() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      var fields = lines.filter(l -> l.startsWith("model name") || l.startsWith("cpu MHz")).limit(2)
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).toList();
      return String.join(" @ ", fields) + (fields.size() == 2 ? " MHz" : "");
    } catch (IOException | RuntimeException notLinux) {
      return System.getProperty("os.arch");
    }
  }

  private static String commit() {
    try {
      Process git = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
      String out = new String(git.getInputStream().readAllBytes()).trim();
      return git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "unknown";
    } catch (Exception e) {
      return "unknown";
    }
  }
}
