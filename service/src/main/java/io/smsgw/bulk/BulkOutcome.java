package io.smsgw.bulk;

/**
 * The bulk verticle's answer (accept_bulk's {@code o_outcome}). {@code answer}: the 200's body, as stored (ACCEPTED,
 * REPLAY), or the rejected items as a JSON array (NO_VALID_RECIPIENTS); {@code total} and {@code balance}: what the
 * wallet could not pay (INSUFFICIENT_BALANCE).
 */
public record BulkOutcome(Kind kind, String answer, long total, long balance) {

  public enum Kind { ACCEPTED, REPLAY, DUPLICATE_BULK_ID, INSUFFICIENT_BALANCE, NO_VALID_RECIPIENTS }
}
