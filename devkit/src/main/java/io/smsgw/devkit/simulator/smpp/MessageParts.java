package io.smsgw.devkit.simulator.smpp;

import io.smsgw.domain.Gsm7Alphabet;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.SubmitSm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Which part of which message one {@code submit_sm} carries, and its text without the header. A long message arrives
 * as one submit_sm per part, tied together either by a UDH concatenation element in the short_message (esm_class UDHI,
 * 0x40; IEI 0x00 with an 8-bit reference or 0x08 with a 16-bit one) or by the SAR TLVs (sar_msg_ref_num,
 * sar_total_segments, sar_segment_seqnum). A message without either is part 1 of 1, reference 0.
 *
 * @param text the user data as text (UCS-2 for data_coding 8, Latin-1 for 3, else the GSM 7-bit default alphabet unpacked), the UDH left out
 */
record MessageParts(int reference, int total, int sequence, boolean concatenated, String text) {

  static final int UDHI = 0x40;
  static final int IEI_CONCAT_8BIT = 0x00;
  static final int IEI_CONCAT_16BIT = 0x08;
  private static final int DATA_CODING_UCS2 = 0x08;
  private static final int DATA_CODING_LATIN1 = 0x03;

  static MessageParts of(SubmitSm submit) {
    byte[] message = submit.getShortMessage();
    if (message == null || message.length == 0) {
      // A long text may come whole in the message_payload TLV instead
      OptionalParameter payload = submit.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD);
      if (payload instanceof OptionalParameter.OctetString octets) message = octets.getValue();
    }
    if (message == null) message = new byte[0];
    int reference = 0;
    int total = 1;
    int sequence = 1;
    boolean concatenated = false;
    byte[] userData = message;
    if ((submit.getEsmClass() & UDHI) != 0 && message.length > 0) {
      int headerLength = message[0] & 0xFF;
      int end = Math.min(message.length, 1 + headerLength);
      int i = 1;
      while (i + 1 < end) {
        int iei = message[i] & 0xFF;
        int length = message[i + 1] & 0xFF;
        int data = i + 2;
        if (data + length > end) break;
        if (iei == IEI_CONCAT_8BIT && length == 3) {
          reference = message[data] & 0xFF;
          total = message[data + 1] & 0xFF;
          sequence = message[data + 2] & 0xFF;
          concatenated = true;
        } else if (iei == IEI_CONCAT_16BIT && length == 4) {
          reference = ((message[data] & 0xFF) << 8) | (message[data + 1] & 0xFF);
          total = message[data + 2] & 0xFF;
          sequence = message[data + 3] & 0xFF;
          concatenated = true;
        }
        i = data + length;
      }
      userData = Arrays.copyOfRange(message, end, message.length);
    }
    if (!concatenated) {
      OptionalParameter ref = submit.getOptionalParameter(OptionalParameter.Tag.SAR_MSG_REF_NUM);
      OptionalParameter tot = submit.getOptionalParameter(OptionalParameter.Tag.SAR_TOTAL_SEGMENTS);
      OptionalParameter seq = submit.getOptionalParameter(OptionalParameter.Tag.SAR_SEGMENT_SEQNUM);
      if (ref instanceof OptionalParameter.Short r && tot instanceof OptionalParameter.Byte t
        && seq instanceof OptionalParameter.Byte s) {
        reference = r.getValue() & 0xFFFF;
        total = t.getValue() & 0xFF;
        sequence = s.getValue() & 0xFF;
        concatenated = true;
      }
    }
    String text = (submit.getDataCoding() & 0xFF) == DATA_CODING_UCS2
      ? new String(userData, 0, userData.length - userData.length % 2, StandardCharsets.UTF_16BE)
      : (submit.getDataCoding() & 0xFF) == DATA_CODING_LATIN1 ? new String(userData, StandardCharsets.ISO_8859_1)
      : Gsm7Alphabet.decodeUnpacked(userData, 0, userData.length);  // 0: the SMSC default alphabet, GSM 7-bit unpacked
    return new MessageParts(reference, Math.max(1, total), Math.max(1, sequence), concatenated, text);
  }
}
