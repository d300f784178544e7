package io.smsgw.testing;

/**
 * A real Apache Kafka broker for tests (a child JVM or a container, see {@link TestServices}). {@link #stop()}
 * and {@link #start()} keep the log and the address, as a broker restart looks to the gateway.
 */
public interface TestKafka extends AutoCloseable {

  String bootstrapServers();

  void stop() throws Exception;

  void start() throws Exception;

  @Override
  void close() throws Exception;
}
