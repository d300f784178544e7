package io.smsgw.devkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the binaries shipped in com.github.codemonstur:embedded-redis) on a free port,
 * nothing kept on disk. It can be stopped and started again on the same port, like a real outage or restart.
 */
public final class EmbeddedRedis implements AutoCloseable {

  private final Path dir;
  private final int port = FreePorts.next();
  private Path binary;
  private Process process;

  public EmbeddedRedis(Path dir) {
    this.dir = dir;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public synchronized EmbeddedRedis start() throws IOException, InterruptedException {
    if (process != null) return this;
    if (binary == null) binary = extract();
    process = new ProcessBuilder(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString())
      .redirectErrorStream(true)
      .redirectOutput(dir.resolve("redis.log").toFile())
      .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!answers()) {
      if (!process.isAlive()) throw new IOException("redis-server exited: see " + dir.resolve("redis.log"));
      if (System.nanoTime() > deadline) throw new IOException("redis-server did not answer on port " + port);
      Thread.sleep(20);
    }
    return this;
  }

  /** Kills the server (no save): everything it held is gone, as after a crash. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    process = null;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  /** FLUSHALL, as an operator or a failover to an empty replica would do it. */
  public void flushAll() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write("FLUSHALL\r\n".getBytes());
      byte[] reply = new byte[5];
      if (socket.getInputStream().read(reply) <= 0 || !new String(reply).startsWith("+OK")) throw new IOException("FLUSHALL failed");
    }
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.getOutputStream().write("PING\r\n".getBytes());
      byte[] reply = new byte[7];
      return socket.getInputStream().read(reply) > 0 && new String(reply).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private Path extract() throws IOException {
    String name = resourceName();
    Files.createDirectories(dir);
    Path target = dir.resolve("redis-server");
    try (InputStream in = EmbeddedRedis.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IOException("no " + name + " on the classpath (com.github.codemonstur:embedded-redis)");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    if (!target.toFile().setExecutable(true)) throw new IOException("cannot make " + target + " executable");
    return target;
  }

  private static String resourceName() {
    String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(java.util.Locale.ROOT);
    boolean arm = arch.contains("aarch64") || arch.contains("arm");
    if (os.contains("linux")) return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
    if (os.contains("mac")) return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
    throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch + "; set SMSGW_REDIS_URL");
  }
}
