package io.smsgw.sending;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** How claims are cut into provider requests: a message in doubt goes alone, so it cannot time out a batch again. */
class MessageSenderRequestsTest {

  static MessageSender.Claim claim(boolean inDoubt) {
    SmsMessage m = new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+15550001", "hi", Priority.NORMAL, Encoding.GSM7, 1,
      100, System.currentTimeMillis());
    return new MessageSender.Claim(m, inDoubt ? 2 : 1, 1, false, inDoubt, 0, 0);
  }

  @Test
  @DisplayName("claims in doubt each get a request of their own; the others fill requests of batch_size in order")
  void inDoubtAlone() {
    List<MessageSender.Claim> due = new ArrayList<>();
    for (int i = 0; i < 7; i++) due.add(claim(i == 2 || i == 5));
    List<List<MessageSender.Claim>> requests = MessageSender.requests(due, 3);
    assertThat(requests).hasSize(4);
    assertThat(requests.get(0)).containsExactly(due.get(2));
    assertThat(requests.get(1)).containsExactly(due.get(0), due.get(1), due.get(3));
    assertThat(requests.get(2)).containsExactly(due.get(5));
    assertThat(requests.get(3)).containsExactly(due.get(4), due.get(6));
    assertThat(requests.stream().mapToInt(List::size).sum()).isEqualTo(7);
  }

  @Test
  @DisplayName("no claim in doubt: requests of batch_size, the last one shorter")
  void plainBatches() {
    List<MessageSender.Claim> due = new ArrayList<>();
    for (int i = 0; i < 5; i++) due.add(claim(false));
    assertThat(MessageSender.requests(due, 2)).extracting(List::size).containsExactly(2, 2, 1);
    assertThat(MessageSender.requests(List.of(), 2)).isEmpty();
  }
}
