package io.smsgw.domain;

/** How the text travels over the air, which decides how many characters fit a segment. */
public enum Encoding {
  GSM7(160, 153),
  UCS2(70, 67);

  /** Capacity of a message that fits in one segment, and of each part of a split one (the rest is the UDH). */
  public final int single;
  public final int perPart;

  Encoding(int single, int perPart) {
    this.single = single;
    this.perPart = perPart;
  }
}
