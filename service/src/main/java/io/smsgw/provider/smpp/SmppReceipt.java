package io.smsgw.provider.smpp;

import java.time.Instant;

/**
 * A deliver_sm delivery receipt: the SMSC's id of the part it is about, and the part's final state in the gateway's
 * words ({@code delivered}, {@code undelivered}, {@code expired}) with the SMSC's error code, if it gave one.
 */
public record SmppReceipt(String smscMessageId, String status, String errorCode, Instant doneAt) {
}
