package io.smsgw.bench;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The realistic mix of {@link TrafficMix} with a small share of the simulator's failing and slow numbers, so the
 * faults meet messages on every path: refused for good (refund), retried, answered too late, decided late. The
 * slow ones stay rare: a late decision holds a whole provider batch.
 */
final class ChaosTraffic {

  /** Share of each magic number, per 100,000 messages. */
  static final Map<String, Integer> MAGIC_PER_100K = magic();

  private static Map<String, Integer> magic() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put(ProviderSimulatorVerticle.INVALID_NUMBER, 500);          // 0.5%: 400, failed + refund
    m.put(ProviderSimulatorVerticle.BLOCKED_NUMBER, 500);          // 0.5%: 403, rejected + refund
    m.put(ProviderSimulatorVerticle.ALWAYS_TRANSIENT_NUMBER, 200); // 0.2%: 503 every time, retries run out → failed
    m.put(ProviderSimulatorVerticle.FLAKY_NUMBER, 200);            // 0.2%: 503 twice, then delivered
    m.put(ProviderSimulatorVerticle.LOST_ANSWER_NUMBER, 50);       // 0.05%: delivered, the answer comes too late
    m.put(ProviderSimulatorVerticle.LATE_DECISION_NUMBER, 10);     // 0.01%: held, decided after late_decision_ms
    return java.util.Collections.unmodifiableMap(m);
  }

  private final TrafficMix mix;
  private final String[] phoneByBucket = new String[100_000];

  ChaosTraffic(List<JsonObject> users) {
    this.mix = new TrafficMix(users);
    int bucket = 0;
    for (Map.Entry<String, Integer> e : MAGIC_PER_100K.entrySet()) {
      for (int i = 0; i < e.getValue(); i++) phoneByBucket[bucket++] = e.getKey();
    }
  }

  /** Request i with this message id: the same id gives the same body (a re-send to another gateway). */
  OpenLoopLoad.Request request(int i, UUID messageId) {
    // A multiplicative hash spreads the magic numbers over the run instead of bunching them every 100,000.
    int bucket = (int) Math.floorMod(i * 0x9E3779B97F4A7C15L >>> 17, 100_000L);
    return mix.request(i, messageId, phoneByBucket[bucket]);
  }

  static JsonObject describe() {
    JsonObject magic = new JsonObject();
    MAGIC_PER_100K.forEach((phone, n) -> magic.put(phone, n / 1000.0 + "%"));
    return new JsonObject().put("mix", "80% GSM-7, 20% Persian (UCS-2), 5% VIP").put("magic_numbers", magic);
  }
}
