package io.smsgw.devkit.simulator.smpp;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.ProviderSimSettings;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.DeliveryReceipt;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.OptionalParameters;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.DataSm;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.jsmpp.util.DeliveryReceiptState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** The SMSC simulator through a real jsmpp client: binds, command statuses, long messages, receipts, a restart. */
class SmscSimulatorTest {

  private static final String FROM = "15550000000";
  private static final long WAIT_MS = 5_000;

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
  }

  private SmscSimulator simulator(Map<String, String> keys) throws IOException {
    SmscSimulator simulator = SmscSimulator.start(SmscSimulator.fastSettings(keys));
    closing.add(simulator);
    return simulator;
  }

  /** A jsmpp client session that keeps the receipts it is sent. */
  private final class Client implements AutoCloseable {
    final SMPPSession session = new SMPPSession();
    final BlockingQueue<DeliverSm> receipts = new LinkedBlockingQueue<>();
    /** deliver_sm this client still answers with an error (ESME_RX_T_APPN) before it takes one. */
    final java.util.concurrent.atomic.AtomicInteger refuseReceipts = new java.util.concurrent.atomic.AtomicInteger();

    Client(int port, BindType type, String password) throws IOException {
      session.setTransactionTimer(2_000);
      session.setMessageReceiverListener(new MessageReceiverListener() {
        @Override
        public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
          if (refuseReceipts.getAndDecrement() > 0) {
            throw new ProcessRequestException("not now", SMPPConstant.STAT_ESME_RX_T_APPN);
          }
          receipts.add(deliverSm);
        }

        @Override
        public void onAcceptAlertNotification(AlertNotification alertNotification) {
        }

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
          throw new ProcessRequestException("no data_sm", SMPPConstant.STAT_ESME_RINVCMDID);
        }
      });
      closing.add(this);
      session.connectAndBind("127.0.0.1", port, new BindParameter(type, "smsgw", password, "",
        TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null));
    }

    Client(int port, BindType type) throws IOException {
      this(port, type, "secret");
    }

    String submit(String to, String text, OptionalParameter... tlvs) throws Exception {
      return submit(to, new ESMClass(), text.getBytes(StandardCharsets.ISO_8859_1), tlvs);
    }

    String submit(String to, ESMClass esmClass, byte[] message, OptionalParameter... tlvs) throws Exception {
      return session.submitShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, FROM,
        TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, to, esmClass, (byte) 0, (byte) 1, null, null,
        new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE), (byte) 0, DataCodings.ZERO, (byte) 0, message, tlvs)
        .getMessageId();
    }

    /** The command status the submit is answered with (fails the test if it is accepted). */
    int refusal(String to, String text) throws Exception {
      try {
        String id = submit(to, text);
        return fail("accepted as " + id);
      } catch (NegativeResponseException e) {
        return e.getCommandStatus();
      }
    }

    DeliverSm receipt() throws InterruptedException {
      DeliverSm receipt = receipts.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertThat(receipt).as("a receipt within %d ms", WAIT_MS).isNotNull();
      return receipt;
    }

    @Override
    public void close() {
      session.unbindAndClose();
    }
  }

  private static OptionalParameter clientKey(String key) {
    return new OptionalParameter.OctetString(SubmitSmHandler.CLIENT_KEY_TAG, key.getBytes(StandardCharsets.US_ASCII));
  }

  private static String receiptedId(DeliverSm receipt) {
    return ((OptionalParameter.COctetString) receipt.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID))
      .getValueAsString();
  }

  private static byte messageState(DeliverSm receipt) {
    return ((OptionalParameter.Byte) receipt.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE)).getValue();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.currentTimeMillis() + WAIT_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > until) fail("not within " + WAIT_MS + " ms: " + what);
      Thread.sleep(20);
    }
  }

  @Test
  @DisplayName("A submit gets an SMSC id and a DELIVRD receipt for it; a repeat under the same key is delivered again and counted")
  void submitAndReceipt() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    Client client = new Client(smsc.port(), BindType.BIND_TRX);
    String key = "0b7f6a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b";

    String id = client.submit("+15551230001", "hello from the gateway, a text longer than twenty", clientKey(key));
    DeliverSm receipt = client.receipt();

    assertThat(id).startsWith("smsc-");
    assertThat(receipt.isSmscDeliveryReceipt()).isTrue();
    assertThat(receipt.getEsmClass()).isEqualTo((byte) 0x04);
    assertThat(receiptedId(receipt)).isEqualTo(id);
    assertThat(messageState(receipt)).isEqualTo((byte) 2);
    assertThat(receipt.getSourceAddr()).as("source and destination swapped").isEqualTo("+15551230001");
    assertThat(receipt.getDestAddress()).isEqualTo(FROM);
    String text = new String(receipt.getShortMessage(), StandardCharsets.ISO_8859_1);
    assertThat(text).matches("id:" + id + " sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 "
      + "text:hello from the gatew");
    DeliveryReceipt parsed = receipt.getShortMessageAsDeliveryReceipt();
    assertThat(parsed.getId()).isEqualTo(id);
    assertThat(parsed.getFinalStatus()).isEqualTo(DeliveryReceiptState.DELIVRD);

    String again = client.submit("+15551230001", "hello from the gateway, a text longer than twenty", clientKey(key));
    assertThat(client.receipt().getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID)).isNotNull();
    assertThat(again).isNotEqualTo(id);
    assertThat(smsc.stats().repeatedRequests()).isEqualTo(1);
    assertThat(smsc.stats().acceptedIds(key)).containsExactly(id, again);
    client.submit("+15551230001", "no key");
    assertThat(smsc.stats().repeatedRequests()).as("no TLV, no repeat").isEqualTo(1);
    assertThat(smsc.stats().toJson().getLong("accepted")).isEqualTo(3);
    assertThat(smsc.stats().toJson().getLong("binds_open")).isEqualTo(1);
  }

  @Test
  @DisplayName("Magic numbers: 0001 → 0x0B, 0004 → 0x67, 0009 → 0x08, 0008 twice 0x08 then accepted, with or without '+'")
  void magicNumbers() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    Client client = new Client(smsc.port(), BindType.BIND_TRX);

    assertThat(client.refusal("+15005550001", "a")).isEqualTo(SMPPConstant.STAT_ESME_RINVDSTADR);
    assertThat(client.refusal("15005550001", "a")).isEqualTo(SMPPConstant.STAT_ESME_RINVDSTADR);
    assertThat(client.refusal("+15005550004", "a")).isEqualTo(SMPPConstant.STAT_ESME_RX_R_APPN);
    assertThat(client.refusal("+15005550009", "a")).isEqualTo(SMPPConstant.STAT_ESME_RSYSERR);
    assertThat(client.refusal("+15005550009", "a")).isEqualTo(SMPPConstant.STAT_ESME_RSYSERR);
    assertThat(client.refusal("+15005550009", "a")).isEqualTo(SMPPConstant.STAT_ESME_RSYSERR);
    assertThat(client.refusal("+15005550008", "flaky")).isEqualTo(SMPPConstant.STAT_ESME_RSYSERR);
    assertThat(client.refusal("15005550008", "flaky")).isEqualTo(SMPPConstant.STAT_ESME_RSYSERR);
    assertThat(client.submit("+15005550008", "flaky")).startsWith("smsc-");
    assertThat(client.submit("+15005550008", "flaky")).startsWith("smsc-");
    assertThat(client.refusal("+15005550008", "another text")).isEqualTo(SMPPConstant.STAT_ESME_RSYSERR);
    assertThat(smsc.stats().toJson().getLong("refused_permanently")).isEqualTo(3);
    assertThat(smsc.stats().toJson().getLong("failed_transiently")).isEqualTo(6);
  }

  @Test
  @DisplayName("+15005550003 is accepted and its receipt says UNDELIV (message_state 5)")
  void undeliveredNumber() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    Client client = new Client(smsc.port(), BindType.BIND_TRX);

    String id = client.submit("+15005550003", "never arrives");
    DeliverSm receipt = client.receipt();

    assertThat(receiptedId(receipt)).isEqualTo(id);
    assertThat(messageState(receipt)).isEqualTo((byte) 5);
    DeliveryReceipt parsed = receipt.getShortMessageAsDeliveryReceipt();
    assertThat(parsed.getFinalStatus()).isEqualTo(DeliveryReceiptState.UNDELIV);
    assertThat(parsed.getDelivered()).isZero();
    assertThat(parsed.getError()).isNotEqualTo("000");
  }

  @Test
  @DisplayName("+15005550006 is accepted and reported, but its submit_sm_resp comes after the client gave up; +15005550010 answers after late_decision_ms")
  void lateAnswers() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    Client client = new Client(smsc.port(), BindType.BIND_TRX);
    client.session.setTransactionTimer(1_000);

    assertThatThrownBy(() -> client.submit("+15005550006", "lost")).isInstanceOf(ResponseTimeoutException.class);
    DeliverSm receipt = client.receipt();
    assertThat(messageState(receipt)).isEqualTo((byte) 2);
    assertThat(smsc.stats().toJson().getLong("accepted")).isEqualTo(1);

    long started = System.nanoTime();
    String id = client.submit("+15005550010", "decided late");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(300);
    assertThat(receiptedId(client.receipt())).isEqualTo(id);
    assertThat(client.submit("+15551230002", "the session was not held up")).startsWith("smsc-");
  }

  @Test
  @DisplayName("Above max_per_second the simulator answers ESME_RTHROTTLED")
  void throttled() throws Exception {
    SmscSimulator smsc = simulator(Map.of("max_per_second", "3"));
    Client client = new Client(smsc.port(), BindType.BIND_TX);

    int accepted = 0;
    int throttled = 0;
    for (int i = 0; i < 10; i++) {
      try {
        client.submit("+15551230003", "m" + i);
        accepted++;
      } catch (NegativeResponseException e) {
        assertThat(e.getCommandStatus()).isEqualTo(SMPPConstant.STAT_ESME_RTHROTTLED);
        throttled++;
      }
    }
    assertThat(throttled).isPositive();
    assertThat(accepted).isBetween(3, 6);  // the 10 submits may straddle a second
    assertThat(smsc.stats().toJson().getLong("throttled")).isEqualTo(throttled);
  }

  @Test
  @DisplayName("A 3-part UDH message: 3 submits, 3 SMSC ids, 3 receipts")
  void longMessage() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    Client client = new Client(smsc.port(), BindType.BIND_TRX);
    String key = "5e1c0a7b-0000-4000-8000-00000000000a";

    Set<String> ids = new HashSet<>();
    for (int part = 1; part <= 3; part++) {
      byte[] udh = {0x05, 0x00, 0x03, 0x2A, 0x03, (byte) part};
      byte[] text = ("part " + part + " of a long message").getBytes(StandardCharsets.ISO_8859_1);
      byte[] message = new byte[udh.length + text.length];
      System.arraycopy(udh, 0, message, 0, udh.length);
      System.arraycopy(text, 0, message, udh.length, text.length);
      ids.add(client.submit("+15551230004", new ESMClass(MessageParts.UDHI), message, clientKey(key)));
    }
    Set<String> receipted = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      DeliverSm receipt = client.receipt();
      receipted.add(receiptedId(receipt));
      assertThat(new String(receipt.getShortMessage(), StandardCharsets.ISO_8859_1)).contains("text:part ");
    }

    assertThat(ids).hasSize(3);
    assertThat(receipted).isEqualTo(ids);
    assertThat(smsc.stats().acceptedIds(key)).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(smsc.stats().repeatedRequests()).as("three parts, not three repeats").isZero();
    assertThat(smsc.stats().toJson().getLong("parts")).isEqualTo(3);
  }

  @Test
  @DisplayName("MessageParts reads the 8- and 16-bit UDH concatenation elements and the SAR TLVs")
  void concatenationHeaders() {
    SubmitSm udh16 = new SubmitSm();
    udh16.setEsmClass((byte) MessageParts.UDHI);
    udh16.setShortMessage(new byte[] {0x06, 0x08, 0x04, 0x12, 0x34, 0x04, 0x02, 'h', 'i'});
    assertThat(MessageParts.of(udh16)).isEqualTo(new MessageParts(0x1234, 4, 2, true, "hi"));

    SubmitSm sar = new SubmitSm();
    sar.setShortMessage("sar".getBytes(StandardCharsets.ISO_8859_1));
    sar.setOptionalParameters(OptionalParameters.newSarMsgRefNum((short) 300), OptionalParameters.newSarTotalSegments(2),
      OptionalParameters.newSarSegmentSeqnum(2));
    assertThat(MessageParts.of(sar)).isEqualTo(new MessageParts(300, 2, 2, true, "sar"));

    SubmitSm plain = new SubmitSm();
    plain.setShortMessage("plain".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(MessageParts.of(plain)).isEqualTo(new MessageParts(0, 1, 1, false, "plain"));
  }

  @Test
  @DisplayName("A wrong password is refused with ESME_RINVPASWD")
  void wrongPassword() throws Exception {
    SmscSimulator smsc = simulator(Map.of());

    assertThatThrownBy(() -> new Client(smsc.port(), BindType.BIND_TRX, "wrong"))
      .isInstanceOf(IOException.class)
      .cause().isInstanceOf(NegativeResponseException.class)
      .satisfies(e -> assertThat(((NegativeResponseException) e).getCommandStatus()).isEqualTo(SMPPConstant.STAT_ESME_RINVPASWD));
    assertThat(smsc.stats().toJson().getLong("binds_refused")).isEqualTo(1);
    assertThat(smsc.stats().toJson().getLong("binds_open")).isZero();
  }

  @Test
  @DisplayName("stop closes the sessions; start listens on the same port, and a client binds and submits again")
  void restart() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    int port = smsc.port();
    Client first = new Client(port, BindType.BIND_TRX);
    assertThat(first.submit("+15551230005", "before")).startsWith("smsc-");

    smsc.stop();
    await("the client sees its session closed", () -> !first.session.getSessionState().isBound());
    assertThat(smsc.stats().toJson().getLong("binds_open")).isZero();
    smsc.start();

    assertThat(smsc.port()).isEqualTo(port);
    Client second = new Client(port, BindType.BIND_TRX);
    assertThat(second.submit("+15551230005", "after")).startsWith("smsc-");
    assertThat(smsc.stats().toJson().getLong("binds_total")).isEqualTo(2);
  }

  @Test
  @DisplayName("A receipt due while no receiver is bound is kept, and delivered to the receiver that binds later")
  void receiptAfterBind() throws Exception {
    SmscSimulator smsc = simulator(Map.of());
    Client transmitter = new Client(smsc.port(), BindType.BIND_TX);

    String id = transmitter.submit("+15551230006", "waits for a receiver");
    Thread.sleep(500);  // the receipt was due after 100 ± 50 ms, and found no receiver
    assertThat(smsc.stats().receiptsSent()).isZero();
    assertThat(smsc.stats().receiptsPending()).isEqualTo(1);

    Client receiver = new Client(smsc.port(), BindType.BIND_RX);
    assertThat(receiptedId(receiver.receipt())).isEqualTo(id);
    await("counted sent", () -> smsc.stats().receiptsSent() == 1);
    assertThat(smsc.stats().receiptsPending()).isZero();
    assertThat(transmitter.receipts).isEmpty();
  }

  @Test
  @DisplayName("A deliver_sm answered with an error is sent again; dlr_duplicate_rate 1 sends every receipt twice")
  void receiptRetriedAndDuplicated() throws Exception {
    SmscSimulator smsc = simulator(Map.of("dlr_duplicate_rate", "1.0"));
    Client client = new Client(smsc.port(), BindType.BIND_TRX);
    client.refuseReceipts.set(1);

    String id = client.submit("+15551230007", "twice");
    assertThat(receiptedId(client.receipt())).isEqualTo(id);
    assertThat(receiptedId(client.receipt())).isEqualTo(id);

    await("both counted sent", () -> smsc.stats().receiptsSent() == 2);
    assertThat(smsc.stats().toJson().getLong("receipts_duplicates")).isEqualTo(1);
    assertThat(smsc.stats().toJson().getLong("receipts_retries")).isEqualTo(1);
    assertThat(smsc.stats().toJson().getLong("receipts_scheduled")).isEqualTo(2);
    assertThat(smsc.stats().receiptsPending()).isZero();
  }

  @Test
  @DisplayName("provider_sim.smpp_*: the defaults, and a password longer than SMPP's 8 characters refused")
  void smppSettings() {
    ProviderSimSettings defaults = GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of()).providerSim();
    assertThat(defaults.smppPort()).isZero();
    assertThat(defaults.smppSystemId()).isEqualTo("smsgw");
    assertThat(defaults.smppPassword()).isEqualTo("secret");
    assertThat(defaults.smppReceipts()).isTrue();
    assertThatThrownBy(() -> SmscSimulator.fastSettings(Map.of("smpp_password", "much-too-long")))
      .hasMessageContaining("provider_sim.smpp_password");
  }
}
