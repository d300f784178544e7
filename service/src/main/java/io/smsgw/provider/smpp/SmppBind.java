package io.smsgw.provider.smpp;

import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One transceiver bind to an SMSC, kept up: it binds in the background, binds again with backoff whenever the session
 * closes (the SMSC restarted, the link broke, enquire_link went unanswered), and answers each submit with a
 * {@link SubmitOutcome}. jsmpp's submit blocks until its submit_sm_resp, so submits run on {@code window} threads of
 * their own (never an event loop), at most {@code maxPerSecond} a second; more than the window can queue is refused at
 * once as {@link SubmitOutcome.NotSent}. Delivery receipts (deliver_sm with the receipt esm_class) go to the receipt
 * consumer; one it throws on is answered ESME_RX_T_APPN, so the SMSC sends it again later instead of it being lost.
 */
public final class SmppBind implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SmppBind.class);
  /** The vendor TLV with the gateway's key of a part (the dev kit's SMSC counts repeats by it). */
  public static final short CLIENT_KEY_TAG = 0x1501;
  /** jsmpp threads per session that take incoming PDUs: each receipt holds one until it is stored (SmppReceiptWriter). */
  static final int RECEIVER_THREADS = 64;
  /**
   * Parts waiting for a window slot, at most: a sender's batch (provider.batch_size messages, a few parts each) must fit,
   * or its tail is refused as NotSent and retried a second later (with window × 4 it was, in the SMPP e2e run). Time in
   * the queue is bounded by the send's deadline instead (submit's notAfterNanos).
   */
  static final int QUEUE_CAPACITY = 10_000;

  private final String name;
  private final SmppBindSettings settings;
  private final Consumer<SmppReceipt> receipts;
  private final ScheduledExecutorService connector;
  private final ThreadPoolExecutor submitters;
  private final AtomicBoolean reconnectPlanned = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong binds = new AtomicLong();
  private volatile SMPPSession session;
  private volatile boolean closed;
  private volatile String lastError = "";
  private long backoffMs;
  private long nextSlotNanos;

  public SmppBind(String name, SmppBindSettings settings, Consumer<SmppReceipt> receipts) {
    this.name = name;
    this.settings = settings;
    this.receipts = receipts;
    this.backoffMs = settings.reconnectMinMs();
    this.connector = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "smpp-" + name + "-bind"));
    AtomicInteger n = new AtomicInteger();
    this.submitters = new ThreadPoolExecutor(settings.window(), settings.window(), 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> daemon(r, "smpp-" + name + "-submit-" + n.incrementAndGet()));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Starts binding (in the background: a submit before the first bind is NotSent). */
  public void start() {
    connector.execute(this::connect);
  }

  public String name() {
    return name;
  }

  public boolean bound() {
    SMPPSession s = session;
    return s != null && s.getSessionState().isTransmittable();
  }

  /** Successful binds so far (more than one: it reconnected). */
  public long binds() {
    return binds.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public String lastError() {
    return lastError;
  }

  /** Sends one part; the future never fails. */
  public CompletableFuture<SubmitOutcome> submit(SmppPart part) {
    return submit(part, Long.MAX_VALUE);
  }

  /**
   * Sends one part unless it is still queued at {@code notAfterNanos} ({@link System#nanoTime()}): then it is NotSent,
   * so that a send's whole time is bounded (queue, pacing, then at most the response timeout). The future never fails.
   */
  public CompletableFuture<SubmitOutcome> submit(SmppPart part, long notAfterNanos) {
    CompletableFuture<SubmitOutcome> outcome = new CompletableFuture<>();
    try {
      submitters.execute(() -> outcome.complete(System.nanoTime() - notAfterNanos > 0
        ? new SubmitOutcome.NotSent("still queued on the bind at the send's deadline") : submitNow(part)));
    } catch (RejectedExecutionException full) {
      outcome.complete(new SubmitOutcome.NotSent(closed ? "the bind is closed" : "the bind's window and queue are full"));
    }
    return outcome;
  }

  private SubmitOutcome submitNow(SmppPart part) {
    SMPPSession s = session;
    if (closed || s == null || !s.getSessionState().isTransmittable()) {
      return new SubmitOutcome.NotSent("not bound" + (lastError.isEmpty() ? "" : ": " + lastError));
    }
    pace();
    inFlight.incrementAndGet();
    try {
      String id = s.submitShortMessage("", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, settings.sourceAddress(),
        TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, part.destination(),
        part.udh() ? new ESMClass(0x40) : new ESMClass(), (byte) 0, (byte) 1, null, null,
        new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE), (byte) 0, DataCodings.newInstance(part.dataCoding()),
        (byte) 0, part.shortMessage(),
        new OptionalParameter.OctetString(CLIENT_KEY_TAG, part.clientKey().getBytes(StandardCharsets.US_ASCII)))
        .getMessageId();
      return new SubmitOutcome.Accepted(id);
    } catch (NegativeResponseException refused) {
      return CommandStatuses.refusal(refused.getCommandStatus());
    } catch (ResponseTimeoutException timeout) {
      return new SubmitOutcome.Unknown("no submit_sm_resp within " + settings.responseTimeoutMs() + " ms");
    } catch (PDUException invalid) {
      return new SubmitOutcome.Refused(SMPPConstant.STAT_ESME_RINVMSGLEN, "failed");  // never left: it cannot be built
    } catch (InvalidResponseException | IOException broken) {
      return new SubmitOutcome.Unknown("the bind broke during the submit: " + broken.getMessage());
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** At most maxPerSecond submits a second on this bind: each takes the next slot, and waits for it on its own thread. */
  private void pace() {
    if (settings.maxPerSecond() <= 0) return;
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long slot = Math.max(now, nextSlotNanos);
      nextSlotNanos = slot + 1_000_000_000L / settings.maxPerSecond();
      wait = slot - now;
    }
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void connect() {
    reconnectPlanned.set(false);
    if (closed) return;
    SMPPSession s = new SMPPSession();
    s.setTransactionTimer(settings.responseTimeoutMs());
    s.setEnquireLinkTimer(settings.enquireLinkMs());
    s.setPduProcessorDegree(RECEIVER_THREADS);
    s.setMessageReceiverListener(new ReceiptListener());
    try {
      s.connectAndBind(settings.host(), settings.port(), new BindParameter(BindType.BIND_TRX, settings.systemId(),
        settings.password(), "", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null));
    } catch (IOException e) {
      lastError = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
      s.close();
      planReconnect();
      return;
    }
    s.addSessionStateListener((now, before, source) -> {
      if (!now.isNotClosed() && session == s) planReconnect();  // an older session closing late is no news
    });
    session = s;
    binds.incrementAndGet();
    backoffMs = settings.reconnectMinMs();
    lastError = "";
    LOG.info("SMPP bound to {}:{} as {}", settings.host(), settings.port(), settings.systemId());
    if (s.getSessionState() == SessionState.CLOSED) planReconnect();  // it closed before the listener was there
  }

  private void planReconnect() {
    if (closed || !reconnectPlanned.compareAndSet(false, true)) return;
    long delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, settings.reconnectMaxMs());
    try {
      connector.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shutDown) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    connector.shutdownNow();
    submitters.shutdown();
    SMPPSession s = session;
    if (s != null) s.unbindAndClose();
  }

  /** The receipts of this bind's messages (an SMSC sends them on any RX or TRX bind of the system_id). */
  private final class ReceiptListener implements MessageReceiverListener {

    @Override
    public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
      if (!deliverSm.isSmscDeliveryReceipt()) return;  // a mobile-originated message: not this gateway's business yet
      SmppReceipt receipt = SmppReceipts.parse(deliverSm);
      if (receipt == null) return;  // an intermediate state (ACCEPTD, ENROUTE): the final one follows
      try {
        receipts.accept(receipt);
      } catch (RuntimeException notStored) {
        throw new ProcessRequestException("receipt not stored: " + notStored.getMessage(), SMPPConstant.STAT_ESME_RX_T_APPN);
      }
    }

    @Override
    public void onAcceptAlertNotification(AlertNotification alertNotification) {
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
      throw new ProcessRequestException("data_sm is not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }
}
