package io.smsgw.provider.smpp;

import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.DeliveryReceipt;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.util.InvalidDeliveryReceiptException;

import java.time.Instant;

/**
 * Reads a deliver_sm receipt: the part's SMSC id from the {@code receipted_message_id} TLV, else from the text form's
 * {@code id:}; its state from the {@code message_state} TLV, else from the text's {@code stat:}; the error from
 * {@code err:}. SMSCs differ in which they send (SMPP 3.4 makes the TLVs optional and the text form is only customary).
 */
final class SmppReceipts {

  private SmppReceipts() {
  }

  /** The receipt, or null for an intermediate state (accepted, en route) or one that names no message. */
  static SmppReceipt parse(DeliverSm deliverSm) {
    DeliveryReceipt text = null;
    try {
      text = deliverSm.getShortMessageAsDeliveryReceipt();
    } catch (InvalidDeliveryReceiptException | RuntimeException notText) {
      // the TLVs may still say it all
    }
    String id = deliverSm.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID)
      instanceof OptionalParameter.COctetString tlv ? tlv.getValueAsString() : text == null ? null : text.getId();
    String status = deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE) instanceof OptionalParameter.Byte state
      ? fromMessageState(state.getValue()) : text == null || text.getFinalStatus() == null ? null : fromStat(text.getFinalStatus().name());
    if (id == null || id.isEmpty() || status == null) return null;
    String error = text == null || text.getError() == null || text.getError().matches("0+") ? null : text.getError();
    Instant done = text != null && text.getDoneDate() != null ? text.getDoneDate().toInstant() : Instant.now();
    return new SmppReceipt(id, status, error, done);
  }

  /** SMPP 3.4 §5.2.28: 2 DELIVERED, 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE, 6 ACCEPTED, 7 UNKNOWN, 8 REJECTED. */
  static String fromMessageState(byte state) {
    return switch (state) {
      case 2 -> "delivered";
      case 3 -> "expired";
      case 4, 5, 7, 8 -> "undelivered";
      default -> null;  // 1 ENROUTE, 6 ACCEPTED: not final
    };
  }

  static String fromStat(String stat) {
    return switch (stat) {
      case "DELIVRD" -> "delivered";
      case "EXPIRED" -> "expired";
      case "DELETED", "UNDELIV", "UNKNOWN", "REJECTD" -> "undelivered";
      default -> null;
    };
  }
}
