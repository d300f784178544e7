package io.smsgw.testing;

/**
 * A real PostgreSQL for tests (embedded binaries or a container, see {@link TestServices}), with database
 * {@code smsgw}. {@link #stop()} and {@link #start()} keep the data and the address, like a real outage.
 */
public interface TestPostgres extends AutoCloseable {

  /** A {@code postgresql://} URL of the gateway's database. */
  String url();

  void stop() throws Exception;

  void start() throws Exception;

  @Override
  void close() throws Exception;
}
