package io.smsgw.config;

import io.smsgw.domain.Pricing;

/** {@code pricing.*}: the price of one segment of each lane, in the smallest currency unit (0: that lane is free). */
public record PricingSettings(long normalPerSegment, long vipPerSegment) {

  public Pricing toPricing() {
    return new Pricing(normalPerSegment, vipPerSegment);
  }

  static PricingSettings from(ConfigReader.Section s) {
    return new PricingSettings(s.number("normal_per_segment", 0, Integer.MAX_VALUE), s.number("vip_per_segment", 0, Integer.MAX_VALUE));
  }
}
