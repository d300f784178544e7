package io.smsgw.domain;

/** Price per segment of each lane, in the smallest currency unit (conf/ pricing.*, read by config.PricingSettings). */
public record Pricing(long normalPerSegment, long vipPerSegment) {

  public long cost(Priority priority, int segments) {
    return segments * (priority == Priority.VIP ? vipPerSegment : normalPerSegment);
  }
}
