package io.smsgw.delivery;

/** Event-bus addresses of the delivery-report path. */
public final class DeliveryAddresses {

  /** A batch of reports, {@code {"reports": [...]}} as the contract validated it → {@code {stored, duplicates, unmatched, finalized}}. */
  public static final String STORE_REPORTS = "delivery.reports.store";

  private DeliveryAddresses() {
  }
}
