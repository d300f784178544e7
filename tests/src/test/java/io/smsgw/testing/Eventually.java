package io.smsgw.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waits for a condition that the system reaches asynchronously. */
public final class Eventually {

  private Eventually() {
  }

  public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(100);
    }
  }
}
