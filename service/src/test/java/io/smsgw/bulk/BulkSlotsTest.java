package io.smsgw.bulk;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A pod works on at most bulk.max_in_flight bulks; its HTTP verticles share the slots")
class BulkSlotsTest {

  @Test
  @DisplayName("Slots are taken up to the bound, refused beyond it, free again once given back; one set per Vert.x")
  void bound() {
    Vertx vertx = Vertx.vertx();
    Vertx other = Vertx.vertx();
    try {
      BulkSlots slots = BulkSlots.of(vertx, 2);
      assertThat(BulkSlots.of(vertx, 2)).isSameAs(slots);
      assertThat(slots.tryTake()).isTrue();
      assertThat(slots.tryTake()).isTrue();
      assertThat(slots.tryTake()).isFalse();
      assertThat(BulkSlots.of(other, 2).tryTake()).isTrue();
      slots.release();
      assertThat(slots.inFlight()).isEqualTo(1);
      assertThat(slots.tryTake()).isTrue();
    } finally {
      vertx.close().await();
      other.close().await();
    }
  }
}
