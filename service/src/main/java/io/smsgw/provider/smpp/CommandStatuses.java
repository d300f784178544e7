package io.smsgw.provider.smpp;

import org.jsmpp.SMPPConstant;

/**
 * What a negative submit_sm_resp means for the message (SMPP 3.4 §5.1.3). Throttling and a full queue are "later";
 * errors about the message itself (its addresses, length, coding, a rejection by the operator) are final; everything
 * else, including statuses we do not know, is "later" too: the SMSC said it did not take the message, so a resend
 * cannot double it, and a retry policy bounds it.
 */
public final class CommandStatuses {

  private CommandStatuses() {
  }

  public static SubmitOutcome refusal(int status) {
    return switch (status) {
      case SMPPConstant.STAT_ESME_RINVDSTADR, SMPPConstant.STAT_ESME_RINVDSTTON, SMPPConstant.STAT_ESME_RINVDSTNPI ->
        new SubmitOutcome.Refused(status, "failed");  // the destination can never be reached as given
      case SMPPConstant.STAT_ESME_RINVSRCADR, SMPPConstant.STAT_ESME_RINVSRCTON, SMPPConstant.STAT_ESME_RINVSRCNPI,
           SMPPConstant.STAT_ESME_RINVMSGLEN, SMPPConstant.STAT_ESME_RINVESMCLASS, SMPPConstant.STAT_ESME_RINVDFTMSGID,
           SMPPConstant.STAT_ESME_RINVDCS ->
        new SubmitOutcome.Refused(status, "failed");  // this message as built: a resend is the same message
      case SMPPConstant.STAT_ESME_RX_R_APPN -> new SubmitOutcome.Refused(status, "rejected");  // refused by the operator
      default -> new SubmitOutcome.Later(status);  // RTHROTTLED, RMSGQFUL, RSYSERR, RX_T_APPN, and unknown statuses
    };
  }

  /**
   * The last_error of a message the SMSC refused: the HTTP provider's words where they mean the same
   * ({@code invalid_number}, {@code blocked}), else {@code smpp_0x...}.
   */
  public static String code(int status) {
    return switch (status) {
      case SMPPConstant.STAT_ESME_RINVDSTADR -> "invalid_number";
      case SMPPConstant.STAT_ESME_RX_R_APPN -> "blocked";
      default -> "smpp_" + hex(status);
    };
  }

  public static String hex(int status) {
    return String.format("0x%08X", status);
  }
}
