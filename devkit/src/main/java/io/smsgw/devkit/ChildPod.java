package io.smsgw.devkit;


import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gateway or worker as its own JVM ({@code io.smsgw.bootstrap.Main gateway|worker}), so the chaos benchmark and the tests
 * can SIGKILL it, SIGSTOP it and start it again on the same ports, as an orchestrator would. Its output is appended to one log
 * file over all its lives.
 */
public final class ChildPod {

  public final String name;
  public final String role;
  /** The port {@code /health/ready} is asked on: the API port of a gateway, the operations port of a worker. */
  public final int readyPort;
  private final Map<String, String> env;
  private final Path log;
  private Process process;
  private int starts;

  public ChildPod(String name, String role, int readyPort, Map<String, String> env, Path log) {
    this.name = name;
    this.role = role;
    this.readyPort = readyPort;
    this.env = Map.copyOf(env);
    this.log = log;
  }

  /** Starts the JVM (does not wait for it to be ready). */
  public synchronized void start() throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      // The flags of ./smsgw's JAVA_OPTS for a 2-core machine, with a heap that fits four of them beside the rest.
      "-Xmx384m", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1",
      "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), role));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    // stdin stays a pipe held by this JVM: the child (ChildMain) halts when we die (ParentWatch).
    process = pb.start();
    starts++;
  }

  /** Waits until {@code /health/ready} answers 200; fails if the process exits or the timeout passes. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + readyPort + "/health/ready"))
      .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Process p = process;
      if (p == null || !p.isAlive()) throw new IllegalStateException(name + " exited; see " + log);
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
  }

  /** SIGKILL: no shutdown hook, no drain; whatever it held in memory or in flight is abandoned. */
  public synchronized void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    process = null;
  }

  /** SIGSTOP: the process is frozen (a GC pause, a VM migration) while its leases and sessions run out. */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** SIGCONT: it carries on where it was, unaware that time passed. */
  public void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process p = process;
    if (p == null) throw new IllegalStateException(name + " is not running");
    Process kill = new ProcessBuilder("kill", signal, String.valueOf(p.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IOException("kill " + signal + " " + p.pid() + " failed");
  }

  /** SIGTERM and a bounded wait (the pod drains), then SIGKILL. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    process = null;
  }

  /** The running process, or empty (killed, stopped, not started). */
  public synchronized java.util.Optional<ProcessHandle> process() {
    return process == null || !process.isAlive() ? java.util.Optional.empty() : java.util.Optional.of(process.toHandle());
  }

  public synchronized int starts() {
    return starts;
  }

  @Override
  public String toString() {
    return name;
  }
}
