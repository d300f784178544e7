package io.smsgw.domain;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.Priority;

/** Price per segment of each lane, in the smallest currency unit (from conf/: pricing.*). */
public record Pricing(long normalPerSegment, long vipPerSegment) {

  public static Pricing from(GatewayConfig config) {
    return new Pricing(config.pricing().normalPerSegment(), config.pricing().vipPerSegment());
  }

  public long cost(Priority priority, int segments) {
    return segments * (priority == Priority.VIP ? vipPerSegment : normalPerSegment);
  }
}
