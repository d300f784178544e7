package io.smsgw.provider.smpp;

import io.smsgw.devkit.simulator.smpp.SmscSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jsmpp.SMPPConstant;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The SMPP client's bind (provider/smpp, issue 15) against the dev kit's SMSC simulator over real TCP: submits and their
 * receipts, refusals classified, throttling as "later", a lost submit_sm_resp as "unknown" (never a refund on a guess),
 * the SMSC restarting mid-stream (the bind comes back by itself), and a receipt that could not be stored sent again.
 */
@DisplayName("SMPP bind: submit, receipts, refusals, a lost answer, reconnect")
class SmppBindIT {

  private static final long WAIT_MS = 10_000;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final BlockingQueue<SmppReceipt> receipts = new LinkedBlockingQueue<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
  }

  private SmscSimulator smsc(Map<String, String> keys) throws Exception {
    SmscSimulator smsc = SmscSimulator.start(SmscSimulator.fastSettings(keys));
    closing.add(smsc);
    return smsc;
  }

  private SmppBind bind(SmscSimulator smsc, int window, java.util.function.Consumer<SmppReceipt> onReceipt) throws Exception {
    return bind(smsc, window, 0, onReceipt);
  }

  private SmppBind bind(SmscSimulator smsc, int window, int maxPerSecond, java.util.function.Consumer<SmppReceipt> onReceipt)
      throws Exception {
    SmppBindSettings s = new SmppBindSettings("127.0.0.1", smsc.port(), "smsgw", "secret", "15550000000", window,
      maxPerSecond, 1_000, 5_000, 50, 500);
    SmppBind bind = new SmppBind("test", s, onReceipt);
    closing.add(bind);
    bind.start();
    await("bound", bind::bound);
    return bind;
  }

  private SmppBind bind(SmscSimulator smsc) throws Exception {
    return bind(smsc, 8, receipts::add);
  }

  private static SmppPart part(String phone, String text) {
    return new SmppPart(phone.substring(1), text.getBytes(StandardCharsets.ISO_8859_1), (byte) 0, false,
      UUID.randomUUID() + ":1");
  }

  private static SubmitOutcome send(SmppBind bind, String phone) throws Exception {
    return bind.submit(part(phone, "hello")).get(WAIT_MS, TimeUnit.MILLISECONDS);
  }

  private SmppReceipt receipt() throws InterruptedException {
    SmppReceipt r = receipts.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    assertThat(r).as("a receipt within %d ms", WAIT_MS).isNotNull();
    return r;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.currentTimeMillis() + WAIT_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > until) fail("not within " + WAIT_MS + " ms: " + what);
      Thread.sleep(20);
    }
  }

  @Test
  @DisplayName("a submit is accepted with the SMSC's id, and its receipt names that id: delivered, or undelivered for +15005550003")
  void submitAndReceipt() throws Exception {
    SmppBind bind = bind(smsc(Map.of()));
    SubmitOutcome ok = send(bind, "+989121234567");
    assertThat(ok).isInstanceOf(SubmitOutcome.Accepted.class);
    SmppReceipt r = receipt();
    assertThat(r.smscMessageId()).isEqualTo(((SubmitOutcome.Accepted) ok).smscMessageId());
    assertThat(r.status()).isEqualTo("delivered");

    SubmitOutcome undeliverable = send(bind, "+15005550003");
    assertThat(undeliverable).isInstanceOf(SubmitOutcome.Accepted.class);
    assertThat(receipt().status()).isEqualTo("undelivered");
  }

  @Test
  @DisplayName("refusals: a bad number is final (failed), a blocked one final (rejected), a system error and throttling are 'later'")
  void refusals() throws Exception {
    SmscSimulator smsc = smsc(Map.of("max_per_second", "3"));
    SmppBind bind = bind(smsc);
    assertThat(send(bind, "+15005550001")).isEqualTo(new SubmitOutcome.Refused(SMPPConstant.STAT_ESME_RINVDSTADR, "failed"));
    assertThat(send(bind, "+15005550004")).isEqualTo(new SubmitOutcome.Refused(SMPPConstant.STAT_ESME_RX_R_APPN, "rejected"));
    assertThat(send(bind, "+15005550009")).isEqualTo(new SubmitOutcome.Later(SMPPConstant.STAT_ESME_RSYSERR));

    List<CompletableFuture<SubmitOutcome>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) burst.add(bind.submit(part("+989121234567", "burst " + i)));
    long throttled = 0;
    for (CompletableFuture<SubmitOutcome> f : burst) {
      if (f.get(WAIT_MS, TimeUnit.MILLISECONDS).equals(new SubmitOutcome.Later(SMPPConstant.STAT_ESME_RTHROTTLED))) throttled++;
    }
    assertThat(throttled).as("over the SMSC's 3/s, the rest is throttled: 'later', never final").isGreaterThan(0);
  }

  @Test
  @DisplayName("a submit_sm_resp that never comes (+15005550006) is 'unknown' after the response timeout, not a refusal")
  void lostAnswer() throws Exception {
    SmppBind bind = bind(smsc(Map.of()));
    long start = System.currentTimeMillis();
    SubmitOutcome lost = send(bind, "+15005550006");
    assertThat(lost).isInstanceOf(SubmitOutcome.Unknown.class);
    assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(900);
    assertThat(send(bind, "+989121234567")).as("the bind still works").isInstanceOf(SubmitOutcome.Accepted.class);
  }

  @Test
  @DisplayName("the SMSC restarts mid-stream: submits meanwhile are NotSent (never written), then the bind is back by itself")
  void reconnect() throws Exception {
    SmscSimulator smsc = smsc(Map.of());
    SmppBind bind = bind(smsc);
    assertThat(send(bind, "+989121234567")).isInstanceOf(SubmitOutcome.Accepted.class);
    smsc.stop();
    await("the bind sees the SMSC gone", () -> !bind.bound());
    assertThat(send(bind, "+989121234567")).isInstanceOf(SubmitOutcome.NotSent.class);
    smsc.start();
    await("bound again", () -> bind.bound() && bind.binds() >= 2);
    assertThat(send(bind, "+989121234567")).isInstanceOf(SubmitOutcome.Accepted.class);
  }

  @Test
  @DisplayName("a receipt the gateway could not store is answered with an error, and the SMSC sends it again")
  void receiptNotStoredIsSentAgain() throws Exception {
    AtomicInteger refusals = new AtomicInteger(1);
    SmppBind bind = bind(smsc(Map.of()), 4, r -> {
      if (refusals.getAndDecrement() > 0) throw new IllegalStateException("PostgreSQL is down");
      receipts.add(r);
    });
    SubmitOutcome ok = send(bind, "+989121234567");
    SmppReceipt r = receipt();
    assertThat(r.smscMessageId()).isEqualTo(((SubmitOutcome.Accepted) ok).smscMessageId());
    assertThat(refusals.get()).as("the first delivery of it was refused").isLessThan(0);
  }

  @Test
  @DisplayName("a 3-part Persian message goes as three UDH parts (UCS-2) under one key, each accepted and each with its receipt")
  void longMessageAsUdhParts() throws Exception {
    SmscSimulator smsc = smsc(Map.of());
    SmppBind bind = bind(smsc);
    String text = "سلام دنیا ".repeat(20);  // 200 UTF-16 units: 3 parts of at most 67
    io.smsgw.domain.Segments segments = io.smsgw.domain.Segments.of(text);
    io.smsgw.domain.SmsMessage message = new io.smsgw.domain.SmsMessage(UUID.randomUUID(), UUID.randomUUID(),
      "+989121234567", text, io.smsgw.domain.Priority.NORMAL, segments.encoding(), segments.count(), 300, 0);
    List<SmppPart> parts = SmppParts.of(message);
    assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p.udh()).isTrue());
    List<String> ids = new ArrayList<>();
    for (SmppPart p : parts) {
      SubmitOutcome outcome = bind.submit(p).get(WAIT_MS, TimeUnit.MILLISECONDS);
      assertThat(outcome).isInstanceOf(SubmitOutcome.Accepted.class);
      ids.add(((SubmitOutcome.Accepted) outcome).smscMessageId());
    }
    List<String> receipted = new ArrayList<>();
    for (int i = 0; i < 3; i++) receipted.add(receipt().smscMessageId());
    assertThat(receipted).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(smsc.stats().acceptedIds(message.messageId().toString())).hasSize(3);
    assertThat(smsc.stats().repeatedRequests()).isZero();
  }

  @Test
  @DisplayName("the bind keeps to its own rate: 30 submits at 20/s take about 1.5 s and none is throttled by an SMSC capped at 25/s")
  void ratePerBind() throws Exception {
    SmppBind bind = bind(smsc(Map.of("max_per_second", "25")), 8, 20, receipts::add);
    long start = System.nanoTime();
    List<CompletableFuture<SubmitOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) all.add(bind.submit(part("+989121234567", "paced " + i)));
    for (CompletableFuture<SubmitOutcome> f : all) assertThat(f.get(WAIT_MS, TimeUnit.MILLISECONDS)).isInstanceOf(SubmitOutcome.Accepted.class);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1_300);
  }
}
