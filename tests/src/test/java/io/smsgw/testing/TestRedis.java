package io.smsgw.testing;

/**
 * A real Redis for tests (the embedded redis-server binary or a container, see {@link TestServices}), nothing kept
 * on disk. {@link #stop()} kills it (everything it held is gone, as after a crash); {@link #start()} starts it again
 * on the same address.
 */
public interface TestRedis extends AutoCloseable {

  String url();

  int port();

  void stop() throws Exception;

  void start() throws Exception;

  /** FLUSHALL, as an operator or a failover to an empty replica would do it. */
  void flushAll() throws Exception;

  @Override
  void close() throws Exception;
}
