package io.smsgw.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("EventIdSet: the receiver's seen event ids")
class EventIdSetTest {

  @Test
  @DisplayName("tells a repeated id from a new one across growth of the table")
  void repeatsAcrossGrowth() {
    EventIdSet set = new EventIdSet(1 << 20);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) ids.add(UUID.randomUUID());  // the table starts at 65,536 slots: it grows twice

    for (UUID id : ids) assertThat(set.add(id)).isTrue();
    for (UUID id : ids) assertThat(set.add(id)).isFalse();

    assertThat(set.size()).isEqualTo(200_000);
    assertThat(set.untracked()).isZero();
  }

  @Test
  @DisplayName("past its bound it keeps no new id and counts them instead")
  void bounded() {
    EventIdSet set = new EventIdSet(3);
    UUID first = UUID.randomUUID();
    set.add(first);
    set.add(UUID.randomUUID());
    set.add(UUID.randomUUID());

    assertThat(set.add(UUID.randomUUID())).isTrue();
    assertThat(set.add(first)).isFalse();  // ids it kept are still told apart
    assertThat(set.size()).isEqualTo(3);
    assertThat(set.untracked()).isEqualTo(1);
  }
}
