package io.smsgw.provider.smpp;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Gsm7Alphabet;
import io.smsgw.domain.Segments;
import io.smsgw.domain.SmsMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A message as the submit_sm of each of its parts: cut where the charge counted them ({@link Segments#split}), so the
 * parts sent are the segments paid for; GSM-7 as data_coding 0 (the default alphabet, unpacked), anything else UCS-2
 * (data_coding 8, UTF-16BE); a message of more than one part gets a concatenation UDH on each (3GPP TS 23.040 §9.2.3.24.1:
 * 8-bit reference, count, sequence), the reference taken from the message_id so that a resend carries the same one.
 */
public final class SmppParts {

  static final byte DATA_CODING_DEFAULT = 0x00;
  static final byte DATA_CODING_UCS2 = 0x08;

  private SmppParts() {
  }

  public static List<SmppPart> of(SmsMessage message) {
    String text = message.text();
    boolean gsm = message.encoding() == Encoding.GSM7;  // as charged
    List<String> texts = Segments.split(text);
    String destination = message.phoneNumber().startsWith("+") ? message.phoneNumber().substring(1) : message.phoneNumber();
    String key = message.messageId().toString();
    int reference = message.messageId().hashCode() & 0xFF;
    List<SmppPart> parts = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      byte[] data = gsm ? Gsm7Alphabet.encodeUnpacked(texts.get(i)) : texts.get(i).getBytes(StandardCharsets.UTF_16BE);
      boolean udh = texts.size() > 1;
      if (udh) data = withUdh(data, reference, texts.size(), i + 1);
      parts.add(new SmppPart(destination, data, gsm ? DATA_CODING_DEFAULT : DATA_CODING_UCS2, udh, key));
    }
    return parts;
  }

  private static byte[] withUdh(byte[] data, int reference, int total, int sequence) {
    byte[] out = new byte[6 + data.length];
    out[0] = 0x05;  // UDH length
    out[1] = 0x00;  // IE: concatenated short message, 8-bit reference
    out[2] = 0x03;  // IE length
    out[3] = (byte) reference;
    out[4] = (byte) total;
    out[5] = (byte) sequence;
    System.arraycopy(data, 0, out, 6, data.length);
    return out;
  }
}
