package io.smsgw.config;

/**
 * {@code provider.*}: the SMS provider the workers send through. {@code kind}: {@code http} (the REST API at {@code url}; an
 * empty url is allowed here, a worker pod refuses it) or {@code smpp} (an SMSC, {@code smpp.*}).
 * {@code dlr_secret}: the secret the provider signs its delivery reports with; while it is empty every report is refused.
 */
public record ProviderSettings(String kind, String url, long timeoutMs, int maxConnections, int batchSize, long maxProcessingMs, boolean lookup,
                               String dlrSecret) {

  static ProviderSettings from(ConfigReader.Section s) {
    return new ProviderSettings(
      s.oneOf("kind", "http", "smpp"),
      s.string("url"),
      s.number("timeout_ms", 1, Integer.MAX_VALUE),
      s.integer("max_connections", 1, Integer.MAX_VALUE),
      s.integer("batch_size", 1, Integer.MAX_VALUE),
      s.number("max_processing_ms", 0, Integer.MAX_VALUE),
      s.onOff("lookup", null),
      s.string("dlr_secret"));
  }

  public boolean smpp() {
    return "smpp".equals(kind);
  }
}
