package io.smsgw.platform.pg;

import java.util.Comparator;
import java.util.UUID;
import java.util.function.Function;

/**
 * The one order in which a batch write takes its row locks: by wallet ({@code user_id}), then by {@code message_id}.
 * Every transaction that writes several wallets at once (the accept batch, settlement, the outcome writer's refunds)
 * sorts its batch this way first. Two such transactions running together then always lock shared wallets in the same
 * order, so neither can hold one wallet while waiting for another that the other holds: no deadlock (PostgreSQL would
 * otherwise abort one of them with 40P01, and the batch would have to be tried again).
 */
public final class LockOrder {

  private LockOrder() {
  }

  /** Orders a batch's items by their user id, then their message id. */
  public static <T> Comparator<T> of(Function<? super T, UUID> userId, Function<? super T, UUID> messageId) {
    return Comparator.<T, UUID>comparing(userId).thenComparing(messageId);
  }
}
