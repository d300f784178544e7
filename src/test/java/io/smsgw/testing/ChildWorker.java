package io.smsgw.testing;

import io.smsgw.Main;
import io.smsgw.dev.FreePorts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker pod in a child JVM, against a test gateway's database, broker and provider: a process of its own, so a
 * test can SIGKILL it, or SIGSTOP and SIGCONT it as a long GC pause or a frozen VM would stop it.
 */
public final class ChildWorker implements AutoCloseable {

  private final Process process;
  private final int opsPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private ChildWorker(Process process, int opsPort) {
    this.process = process;
    this.opsPort = opsPort;
  }

  /** {@code env}: SMSGW_* settings on top of the gateway's services. */
  public static ChildWorker start(TestGateway gateway, Path log, Map<String, String> env) throws Exception {
    int opsPort = FreePorts.next();
    ProcessBuilder pb = new ProcessBuilder(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
      "-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker");
    Map<String, String> settings = new HashMap<>();
    settings.put("SMSGW_EXIT_WITH_PARENT", "true");  // no orphan if the test JVM dies
    settings.put("SMSGW_PG_URL", gateway.pgUrl());
    settings.put("SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers());
    settings.put("SMSGW_PROVIDER_URL", gateway.config.string("provider", "url"));
    settings.put("SMSGW_WORKER_HTTP_PORT", String.valueOf(opsPort));
    settings.put("SMSGW_SENDER_SESSION_TIMEOUT_MS", "6000");  // the broker's minimum
    settings.putAll(env);
    pb.environment().putAll(settings);
    Process process = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new ChildWorker(process, opsPort);
  }

  /** Until its operations port answers /health/ready with 200. */
  public ChildWorker awaitReady(Duration timeout) throws InterruptedException {
    Eventually.await("the worker to be ready", timeout, () -> {
      if (!process.isAlive()) throw new IllegalStateException("the worker exited with " + process.exitValue());
      return ops("/health/ready").status() == 200;
    });
    return this;
  }

  /** The sum of a counter on the worker's /metrics over every line that starts with {@code prefix}. */
  public double metric(String prefix) {
    return ops("/metrics").body().lines().filter(l -> l.startsWith(prefix))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private Answer ops(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (java.io.IOException e) {
      return new Answer(-1, String.valueOf(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGSTOP: the process keeps its sockets and memory but runs nothing, like a long GC pause. */
  public void pause() throws Exception {
    signal("STOP");
  }

  /** SIGCONT: it goes on where it stopped, its timers all overdue. */
  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " failed");
  }

  @Override
  public void close() throws Exception {
    if (!process.isAlive()) return;
    signal("CONT");  // a stopped process does not act on SIGTERM
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }

  /** An answer of the operations port; status -1 when it did not answer (not up yet, refused). */
  private record Answer(int status, String body) {
  }
}
