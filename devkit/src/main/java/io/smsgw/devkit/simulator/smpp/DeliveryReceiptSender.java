package io.smsgw.devkit.simulator.smpp;

import io.smsgw.config.ProviderSimSettings;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DeliveryReceipt;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.util.DeliveryReceiptState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SMSC simulator's delivery receipts: one {@code deliver_sm} (esm_class 0x04, SMSC delivery receipt) per accepted
 * part, due {@code dlr_delay_ms} ± {@code dlr_jitter_ms} after the part was accepted, some sent twice
 * ({@code dlr_duplicate_rate}). The short_message is the receipt text of SMPP 3.4 appendix B
 * ({@code id:… sub:001 dlvrd:001 submit date:yyMMddHHmm done date:yyMMddHHmm stat:DELIVRD err:000 text:…}, written by
 * jsmpp's {@link DeliveryReceipt}, dates in this JVM's time zone as jsmpp parses them) and the TLVs
 * receipted_message_id and message_state say the same.
 *
 * <p>A receipt goes to a receiver or transceiver bind of the system_id that submitted (round-robin,
 * {@link SmscSessions#nextReceiver}). With none bound it waits, and goes out as soon as one binds (or at its next
 * retry); a deliver_sm that fails, times out or is answered with an error is sent again after 200 ms, doubling up to
 * {@code dlr_retry_max_ms} (plus up to a fifth at random). A receipt is never dropped once held; at most
 * {@link ProviderSimulatorState#MAX_PENDING_REPORTS} are held, one beyond that is dropped when scheduled.
 *
 * <p>Threads: one timer for the due times and the backoff, and a few senders, because jsmpp's
 * {@code deliverShortMessage} blocks until the deliver_sm_resp (or the session's transaction timer) — never an
 * event loop.
 */
final class DeliveryReceiptSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryReceiptSender.class);

  static final long FIRST_RETRY_MS = 200;
  /**
   * deliver_sm in flight at once across sessions (each thread waits for its resp), as an SMSC's outgoing window: a client
   * that commits each receipt before its resp (the gateway does) takes a few milliseconds per receipt, and with 8 the
   * simulator itself capped receipts at ~200/s in the e2e benchmark.
   */
  static final int SENDERS = 256;
  /** err: in the receipt text: 027 absent subscriber (UNDELIV), 254 validity period expired (EXPIRED). */
  static final String ERR_NONE = "000";
  static final String ERR_UNDELIVERED = "027";
  static final String ERR_EXPIRED = "254";
  private static final long LOG_EVERY_MS = 10_000;

  private final SmscSimulatorStats stats;
  private final SmscSessions sessions;
  private final long delayMs;
  private final long jitterMs;
  private final double undeliveredRate;
  private final double expiredRate;
  private final double duplicateRate;
  private final long retryMaxMs;
  private final ScheduledExecutorService timer;
  private final ExecutorService senders;
  /** Due receipts that found no receiver bound: they go out at the next bind (or their retry, whichever comes first). */
  private final Set<Receipt> waitingForBind = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastFailureLogMs = new AtomicLong();

  /** The final state of one part, as the receipt reports it. */
  enum Outcome {
    DELIVERED(DeliveryReceiptState.DELIVRD, OptionalParameter.Message_state.Message_state_enum.DELIVERED, 1, ERR_NONE),
    UNDELIVERED(DeliveryReceiptState.UNDELIV, OptionalParameter.Message_state.Message_state_enum.UNDELIVERABLE, 0, ERR_UNDELIVERED),
    EXPIRED(DeliveryReceiptState.EXPIRED, OptionalParameter.Message_state.Message_state_enum.EXPIRED, 0, ERR_EXPIRED);

    final DeliveryReceiptState stat;
    final OptionalParameter.Message_state.Message_state_enum messageState;
    final int delivered;
    final String err;

    Outcome(DeliveryReceiptState stat, OptionalParameter.Message_state.Message_state_enum messageState, int delivered, String err) {
      this.stat = stat;
      this.messageState = messageState;
      this.delivered = delivered;
      this.err = err;
    }
  }

  /** What the receipt of one accepted part needs; the addresses are the submit's, swapped when sent. */
  record Accepted(String systemId, String smscId, byte sourceTon, byte sourceNpi, String source,
                  byte destTon, byte destNpi, String destination, String text, long submittedAtMs) {
  }

  /** One receipt to send (identity equality: a duplicate is another receipt). */
  private static final class Receipt {
    final Accepted part;
    final Outcome outcome;
    final long doneAtMs;
    final boolean duplicate;
    /** Attempts that failed so far (one thread at a time touches it: the receipt is in flight or armed, never both). */
    int failures;
    /** Non-zero while waiting for a retry or a bind: the number of the failure it waits after. */
    final AtomicLong armed = new AtomicLong();

    Receipt(Accepted part, Outcome outcome, long doneAtMs, boolean duplicate) {
      this.part = part;
      this.outcome = outcome;
      this.doneAtMs = doneAtMs;
      this.duplicate = duplicate;
    }
  }

  DeliveryReceiptSender(ProviderSimSettings settings, SmscSimulatorStats stats, SmscSessions sessions) {
    this.stats = stats;
    this.sessions = sessions;
    this.delayMs = settings.dlrDelayMs();
    this.jitterMs = settings.dlrJitterMs();
    this.undeliveredRate = settings.dlrUndeliveredRate();
    this.expiredRate = settings.dlrExpiredRate();
    this.duplicateRate = settings.dlrDuplicateRate();
    this.retryMaxMs = settings.dlrRetryMaxMs();
    this.timer = Executors.newSingleThreadScheduledExecutor(SmscSimulator.daemonThreads("smsc-sim-receipt-timer"));
    this.senders = Executors.newFixedThreadPool(SENDERS, SmscSimulator.daemonThreads("smsc-sim-receipt-sender"));
  }

  /**
   * A part was accepted and will be decided {@code decidedInMs} from now; its receipt (and maybe a duplicate) is due
   * the receipt delay after that. {@code undelivered}: the number that is never delivered; {@code failureOnly}: the
   * submit asked for a receipt on failure only (registered_delivery 2), so a delivered part gets none.
   */
  void accepted(Accepted part, long decidedInMs, boolean undelivered, boolean failureOnly) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    double draw = random.nextDouble();
    Outcome outcome = undelivered ? Outcome.UNDELIVERED
      : draw < expiredRate ? Outcome.EXPIRED
      : draw < expiredRate + undeliveredRate ? Outcome.UNDELIVERED
      : Outcome.DELIVERED;
    if (failureOnly && outcome == Outcome.DELIVERED) return;
    long first = decidedInMs + delay();
    long now = System.currentTimeMillis();
    schedule(new Receipt(part, outcome, now + first, false), first);
    if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
      // The same receipt again, later: an SMSC that did not see our deliver_sm_resp, or sends twice anyway
      schedule(new Receipt(part, outcome, now + first, true), first + Math.max(1, delay()));
    }
  }

  private void schedule(Receipt receipt, long inMs) {
    stats.receiptsScheduled.incrementAndGet();
    if (stats.receiptsPending.incrementAndGet() > ProviderSimulatorState.MAX_PENDING_REPORTS) {
      stats.receiptsPending.decrementAndGet();
      stats.receiptsDropped.incrementAndGet();
      return;
    }
    later(receipt, inMs);
  }

  private void later(Receipt receipt, long inMs) {
    try {
      timer.schedule(() -> send(receipt), inMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** A session bound that takes deliver_sm: the receipts waiting for one go now. */
  void receiverBound() {
    for (Receipt receipt : waitingForBind) {
      waitingForBind.remove(receipt);
      long armed = receipt.armed.get();
      if (armed != 0 && receipt.armed.compareAndSet(armed, 0)) send(receipt);
    }
  }

  private void send(Receipt receipt) {
    try {
      senders.execute(() -> attempt(receipt));
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void attempt(Receipt receipt) {
    if (receipt.failures > 0) stats.receiptsRetries.incrementAndGet();
    SMPPServerSession session = sessions.nextReceiver(receipt.part.systemId());
    if (session == null) {
      long armed = retryLater(receipt, "no receiver bound for system_id " + receipt.part.systemId());
      waitingForBind.add(receipt);
      // A bind between the look-up and the add above must not leave it waiting for the next one
      if (sessions.nextReceiver(receipt.part.systemId()) != null && receipt.armed.compareAndSet(armed, 0)) {
        waitingForBind.remove(receipt);
        send(receipt);
      }
      return;
    }
    try {
      deliver(session, receipt);
      stats.receiptsSent.incrementAndGet();
      stats.receiptsPending.decrementAndGet();
      if (receipt.duplicate) stats.receiptsDuplicates.incrementAndGet();
    } catch (Exception e) {
      // NegativeResponseException, ResponseTimeoutException, InvalidResponseException, PDUException, IOException
      retryLater(receipt, e.toString());
    }
  }

  /**
   * Arms the receipt for its next attempt after the backoff; returns the arming. Whoever disarms it first (this timer,
   * or a bind while it waits for one) sends it, once.
   */
  private long retryLater(Receipt receipt, String why) {
    receipt.failures++;
    long armed = receipt.failures;
    receipt.armed.set(armed);
    long wait = backoffMs(receipt.failures);
    if (due(lastFailureLogMs)) {
      LOG.warn("SMSC simulator: a delivery receipt could not be sent ({}), sent again in {} ms; {} pending", why, wait,
        stats.receiptsPending.get());
    }
    try {
      timer.schedule(() -> {
        if (receipt.armed.compareAndSet(armed, 0)) {
          waitingForBind.remove(receipt);
          send(receipt);
        }
      }, wait, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
    return armed;
  }

  private static void deliver(SMPPServerSession session, Receipt receipt) throws Exception {
    Accepted part = receipt.part;
    String text = part.text().length() > 20 ? part.text().substring(0, 20) : part.text();
    DeliveryReceipt body = new DeliveryReceipt(part.smscId(), 1, receipt.outcome.delivered, new Date(part.submittedAtMs()),
      new Date(receipt.doneAtMs), receipt.outcome.stat, receipt.outcome.err, text);
    // Source and destination swapped: the receipt comes from the handset the message went to
    session.deliverShortMessage("",
      ton(part.destTon()), npi(part.destNpi()), part.destination(),
      ton(part.sourceTon()), npi(part.sourceNpi()), part.source(),
      new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
      (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
      body.toString().getBytes(StandardCharsets.ISO_8859_1),
      new OptionalParameter.Receipted_message_id(part.smscId()),
      new OptionalParameter.Message_state(receipt.outcome.messageState.byteValue()));
  }

  private static TypeOfNumber ton(byte value) {
    try {
      TypeOfNumber ton = TypeOfNumber.valueOf(value);
      return ton == null ? TypeOfNumber.UNKNOWN : ton;
    } catch (IllegalArgumentException e) {
      return TypeOfNumber.UNKNOWN;
    }
  }

  private static NumberingPlanIndicator npi(byte value) {
    try {
      NumberingPlanIndicator npi = NumberingPlanIndicator.valueOf(value);
      return npi == null ? NumberingPlanIndicator.UNKNOWN : npi;
    } catch (IllegalArgumentException e) {
      return NumberingPlanIndicator.UNKNOWN;
    }
  }

  private long delay() {
    long spread = jitterMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterMs, jitterMs + 1);
    return Math.max(0, delayMs + spread);
  }

  /** After the {@code failures}-th failure: 200 ms doubling, up to {@code dlr_retry_max_ms}, plus up to a fifth at random. */
  long backoffMs(int failures) {
    long exponential = Math.min(retryMaxMs, FIRST_RETRY_MS << Math.min(20, Math.max(0, failures - 1)));
    return Math.min(retryMaxMs, exponential + ThreadLocalRandom.current().nextLong(exponential / 5 + 1));
  }

  private static boolean due(AtomicLong last) {
    long now = System.currentTimeMillis();
    long before = last.get();
    return now - before >= LOG_EVERY_MS && last.compareAndSet(before, now);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    senders.shutdownNow();
  }
}
