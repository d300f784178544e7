package io.smsgw.config;

/** {@code provider_sim.*}: the dev kit's provider simulator (rates are shares between 0 and 1). */
public record ProviderSimSettings(int port, long latencyMs, long jitterMs, long maxPerSecond, double transientFailureRate,
                                  double slowAnswerRate, long lateDecisionMs, double lateDecisionRate, boolean lookup) {

  static ProviderSimSettings from(ConfigReader.Section s) {
    return new ProviderSimSettings(
      s.integer("port", 0, 65535),  // 0: the dev kit picks a free port
      s.number("latency_ms", 0, Integer.MAX_VALUE),
      s.number("jitter_ms", 0, Integer.MAX_VALUE),
      s.number("max_per_second", 1, Integer.MAX_VALUE),
      s.decimal("transient_failure_rate", 0, 1),
      s.decimal("slow_answer_rate", 0, 1),
      s.number("late_decision_ms", 0, Integer.MAX_VALUE),
      s.decimal("late_decision_rate", 0, 1),
      s.onOff("lookup", null));
  }
}
