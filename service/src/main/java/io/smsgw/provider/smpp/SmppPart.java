package io.smsgw.provider.smpp;

/**
 * One submit_sm: a destination (E.164 digits, no '+'), the part's octets as the SMSC gets them (with its UDH first when
 * {@code udh}), the data_coding of the encoding, and the gateway's key for it (the message_id, the same on every part: the
 * UDH's sequence tells the parts apart), sent in the vendor TLV {@link SmppBind#CLIENT_KEY_TAG} so that an SMSC that
 * honours it (the dev kit's does) can tell a resend.
 */
public record SmppPart(String destination, byte[] shortMessage, byte dataCoding, boolean udh, String clientKey) {
}
