package io.smsgw.platform.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;

/**
 * {@code smsgw_consumer_lag_records{topic, client}}: how many records a consumer is behind the end of its most lagging
 * partition, as the Kafka client itself computes it ({@code records-lag-max} of {@code consumer-fetch-manager-metrics},
 * the maximum over its last 30 s window; NaN before its first fetch). The metric object is looked up once, when the
 * consumer is new and not yet polled by its own thread (a KafkaConsumer must not be used from two threads); reading a
 * Kafka metric's value afterwards is thread-safe.
 */
final class ConsumerLag {

  private ConsumerLag() {
  }

  static Gauge register(Consumer<?, ?> consumer, String topic) {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) return null;
    Metric lagMax = null;
    String clientId = "";
    for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
      MetricName name = e.getKey();
      if ("records-lag-max".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group()) && !name.tags().containsKey("topic")) {
        lagMax = e.getValue();
        clientId = name.tags().getOrDefault("client-id", "");
      }
    }
    if (lagMax == null) return null;
    Metric metric = lagMax;
    return Gauge.builder("smsgw_consumer_lag_records", () -> ((Number) metric.metricValue()).doubleValue())
      .description("records the consumer is behind on its most lagging partition (Kafka's records-lag-max, 30 s window)")
      .tag("topic", topic).tag("client", clientId)
      .strongReference(true)
      .register(registry);
  }

  static void remove(Gauge gauge) {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (gauge != null && registry != null) registry.remove(gauge);
  }
}
