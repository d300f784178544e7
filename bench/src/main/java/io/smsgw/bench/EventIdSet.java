package io.smsgw.bench;

import java.util.UUID;

/**
 * The event ids a receiver has seen, to count redeliveries exactly: a 64-bit fingerprint of each id (the two halves of a
 * random UUID XORed: a false "seen" is about n²/2⁶⁴, nil for a run) in an open-addressing table of longs, 16 bytes per
 * id at most. A HashSet of UUIDs would take ~100 bytes per id in a heap the gateway and worker share. Bounded: past
 * {@code maxIds} new ids are not kept, only counted ({@link #untracked}), so the figures say when they are incomplete.
 */
final class EventIdSet {

  private final int maxIds;
  private long[] slots = new long[1 << 16];
  private int size;
  private long untracked;

  EventIdSet(int maxIds) {
    this.maxIds = maxIds;
  }

  /** True if the id was not seen before (or could not be kept); false for a redelivery. */
  synchronized boolean add(UUID id) {
    long fingerprint = id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
    int mask = slots.length - 1;
    for (int i = mix(fingerprint) & mask; ; i = (i + 1) & mask) {
      if (slots[i] == fingerprint) return false;
      if (slots[i] == 0) {
        if (size >= maxIds) {
          untracked++;
          return true;
        }
        slots[i] = fingerprint;
        if (++size * 2 > slots.length) grow();  // at most half full: probes stay short
        return true;
      }
    }
  }

  synchronized int size() {
    return size;
  }

  /** New ids not kept because the set was full. */
  synchronized long untracked() {
    return untracked;
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    int mask = slots.length - 1;
    for (long f : old) {
      if (f == 0) continue;
      int i = mix(f) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = f;
    }
  }

  /** Spreads the bits (the finalizer of MurmurHash3): UUIDs are random, but the version and variant bits are not. */
  private static int mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (int) h;
  }
}
