package io.smsgw.bulk;

/** The bulk verticle's event-bus addresses (local to the pod: a bulk's messages never cross the cluster). */
public final class BulkAddresses {

  private BulkAddresses() {
  }

  /** {@link BulkCharge} → {@link BulkOutcome}: accept_bulk, one transaction (V11__bulk.sql). */
  public static final String BULK_ACCEPT = "bulk.accept";
  /** {@code {"bulk_id", "user_id"}} → the bulk's counts, or 404 when this user has no such bulk. */
  public static final String BULK_STATUS = "bulk.status";
}
