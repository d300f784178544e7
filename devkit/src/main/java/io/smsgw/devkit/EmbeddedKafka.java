package io.smsgw.devkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Apache Kafka broker (KRaft, one node) in a child JVM, from the kafka_2.13 jar on our classpath.
 * A separate process so it can be stopped and started again on the same ports and log directory, as a real
 * outage would look to the gateway.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path dir;
  private final int port = FreePorts.next();
  private final int controllerPort = FreePorts.next();
  private Process process;

  public EmbeddedKafka(Path dir) {
    this.dir = dir;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Formats the log directory (first start only) and starts the broker; returns when it answers. */
  public EmbeddedKafka start() throws IOException, InterruptedException {
    Path properties = dir.resolve("server.properties");
    if (!Files.exists(properties)) {
      Files.createDirectories(dir);
      Files.writeString(properties, properties());
      run(List.of("kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString(), "-c", properties.toString()),
        dir.resolve("format.log"), Duration.ofSeconds(60));
    }
    List<String> command = java(KafkaBrokerProcess.class.getName(), properties.toString());
    process = new ProcessBuilder(command)
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile()))
      .start();
    awaitReady(Duration.ofSeconds(90));
    LOG.info("Kafka broker up at {} (log {})", bootstrapServers(), dir.resolve("kafka.log"));
    return this;
  }

  /** SIGTERM, as an orderly broker shutdown. */
  public void stop() throws InterruptedException {
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    process = null;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    Map<String, Object> config = Map.of(
      AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
      AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin admin = Admin.create(config)) {
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) throw new IllegalStateException("Kafka exited; see " + dir.resolve("kafka.log"));
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) return;
        } catch (Exception notYet) {
          Thread.sleep(200);
        }
      }
    }
    throw new IllegalStateException("Kafka did not start within " + timeout + "; see " + dir.resolve("kafka.log"));
  }

  private void run(List<String> mainAndArgs, Path log, Duration timeout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(java(mainAndArgs.get(0), mainAndArgs.subList(1, mainAndArgs.size()).toArray(String[]::new)))
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(mainAndArgs.get(0) + " failed; see " + log);
    }
  }

  private static List<String> java(String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      // C1 only, like ./smsgw's own JVM: on two shared cores the C2 compiler took ~40% of the broker's CPU in a
      // benchmark run (async-profiler); this broker only serves dev, tests and benchmarks.
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms64m", "-Xmx384m", "-XX:MaxDirectMemorySize=128m",
      "-Dlogback.configurationFile=logback-kafka.xml",
      "-cp", System.getProperty("java.class.path"),
      mainClass));
    command.addAll(List.of(args));
    return command;
  }

  private String properties() {
    String logDir = dir.resolve("data").toAbsolutePath().toString().replace(File.separatorChar, '/');
    return String.join("\n",
      "process.roles=broker,controller",
      "node.id=1",
      "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
      "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
      "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      "log.dirs=" + logDir,
      "num.partitions=1",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "transaction.state.log.num.partitions=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "min.insync.replicas=1",
      "default.replication.factor=1",
      "group.initial.rebalance.delay.ms=0",
      "auto.create.topics.enable=false",
      "log.cleaner.dedupe.buffer.size=8388608",
      "num.io.threads=2",
      "num.network.threads=2",
      "background.threads=2",
      "group.coordinator.threads=1",
      "") ;
  }
}
