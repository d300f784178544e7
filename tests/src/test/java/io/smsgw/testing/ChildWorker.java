package io.smsgw.testing;

import io.smsgw.devkit.ChildPod;
import io.smsgw.devkit.FreePorts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A worker pod in a child JVM ({@link ChildPod}) against a test gateway's database, broker and provider, so a test
 * can SIGSTOP and SIGCONT it as a long GC pause or a frozen VM would stop it, and read its /metrics.
 */
public final class ChildWorker implements AutoCloseable {

  private final ChildPod pod;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private ChildWorker(ChildPod pod) {
    this.pod = pod;
  }

  /** {@code env}: SMSGW_* settings on top of the gateway's services. */
  public static ChildWorker start(TestGateway gateway, Path log, Map<String, String> env) throws Exception {
    int opsPort = FreePorts.next();
    Map<String, String> settings = new HashMap<>();
    settings.put("SMSGW_PG_URL", gateway.pgUrl());
    settings.put("SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers());
    settings.put("SMSGW_PROVIDER_URL", gateway.config.provider().url());
    settings.put("SMSGW_WORKER_HTTP_PORT", String.valueOf(opsPort));
    settings.put("SMSGW_SENDER_SESSION_TIMEOUT_MS", "6000");  // the broker's minimum
    settings.putAll(env);
    ChildPod pod = new ChildPod("worker", "worker", opsPort, settings, log);
    pod.start();
    return new ChildWorker(pod);
  }

  /** Until its operations port answers /health/ready with 200. */
  public ChildWorker awaitReady(Duration timeout) throws InterruptedException {
    pod.awaitReady(timeout);
    return this;
  }

  /** The sum of a counter on the worker's /metrics over every line that starts with {@code prefix}; 0 if it does not answer. */
  public double metric(String prefix) {
    try {
      // The request timeout ends at the response's head; the whole answer is bounded here (a frozen or resumed pod
      // once left a body unfinished and the test waiting forever).
      HttpResponse<String> r = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pod.readyPort + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).get(10, java.util.concurrent.TimeUnit.SECONDS);
      return r.body().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notAnswering) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: no shutdown hook, no drain; its leases and claims are left as they are. */
  public void kill() throws InterruptedException {
    pod.kill();
  }

  /** SIGSTOP: the process keeps its sockets and memory but runs nothing, like a long GC pause. */
  public void pause() throws Exception {
    pod.pause();
  }

  /** SIGCONT: it goes on where it stopped, its timers all overdue. */
  public void resume() throws Exception {
    pod.resume();
  }

  @Override
  public void close() throws Exception {
    try {
      pod.resume();  // a stopped process does not act on SIGTERM
    } catch (Exception notRunning) {
      // exited already: stop() below has nothing to do
    }
    pod.stop();
  }
}
