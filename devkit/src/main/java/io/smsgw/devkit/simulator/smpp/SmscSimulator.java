package io.smsgw.devkit.simulator.smpp;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.ProviderSimSettings;
import org.jsmpp.DefaultPDUReader;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.InterfaceVersion;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SessionStateListener;
import org.jsmpp.session.connection.socket.SocketConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A simulated SMSC speaking SMPP 3.4 over TCP, on jsmpp's server side: the SMPP mode of the dev kit's provider
 * simulator, with the same behaviour settings ({@code provider_sim.*}) and magic numbers as the HTTP one
 * ({@code ProviderSimulatorVerticle}). Blocking and thread-based like jsmpp itself: its own threads, never a Vert.x
 * event loop; {@link #start()} and {@link #stop()} block briefly.
 *
 * <p>Binds: {@code bind_transmitter}, {@code bind_receiver} and {@code bind_transceiver}, any number at once, with
 * {@code provider_sim.smpp_system_id} / {@code smpp_password} (another system_id: ESME_RINVSYSID, another password:
 * ESME_RINVPASWD); jsmpp answers {@code enquire_link}. {@link #stop()} closes the listener and every session (as a
 * crashed SMSC, no unbind), {@link #start()} again listens on the same port, and what the simulator knows (counters,
 * ids, receipts not yet sent) survives it.
 *
 * <p>Each {@code submit_sm} is answered after {@code latency_ms} ± {@code jitter_ms} with a fresh message id
 * ({@code smsc-<n>}), or with a command status:
 * <ul>
 *   <li>more than {@code max_per_second} submits in the current second (the whole simulator): ESME_RTHROTTLED (0x58),
 *   at once</li>
 *   <li>{@code transient_failure_rate} of ordinary numbers: ESME_RMSGQFUL (0x14)</li>
 *   <li>{@code +15005550001}: ESME_RINVDSTADR (0x0B), permanent → {@code failed}</li>
 *   <li>{@code +15005550004}: ESME_RX_R_APPN (0x67), permanent → {@code rejected}</li>
 *   <li>{@code +15005550003}: accepted (never a transient failure), every part's receipt UNDELIV</li>
 *   <li>{@code +15005550006}: accepted (receipts sent), but the submit_sm_resp comes {@code max(10 s, 3 ×
 *   late_decision_ms)} late, after the client gave up; {@code slow_answer_rate} does the same to that share of
 *   ordinary messages</li>
 *   <li>{@code +15005550008}: ESME_RSYSERR (0x08) the first two times for a destination and text, then accepted</li>
 *   <li>{@code +15005550009}: always ESME_RSYSERR (0x08)</li>
 *   <li>{@code +15005550010}: the resp is held {@code late_decision_ms} more, then accepted (its receipt timed from
 *   then)</li>
 * </ul>
 * A number matches with or without its '+'. A long message is one submit_sm per part (UDH concatenation, esm_class
 * 0x40, or the SAR TLVs; {@link MessageParts}), each with its own id and its own receipt.
 *
 * <p>Receipts ({@code smpp_receipts} on, and only for submits whose {@code registered_delivery} asks for one, as a
 * real SMSC): {@link DeliveryReceiptSender}, a {@code deliver_sm} per accepted part to any receiver or transceiver bind
 * of the same system_id, {@code dlr_delay_ms} ± {@code dlr_jitter_ms} later, with {@code dlr_undelivered_rate},
 * {@code dlr_expired_rate} and {@code dlr_duplicate_rate}; kept and sent again with backoff up to
 * {@code dlr_retry_max_ms} while no such bind exists or the deliver_sm fails.
 *
 * <p>Counting: SMPP has no idempotency key and the SMSC delivers a repeat like any submit; the gateway's message id in
 * the vendor TLV 0x1501 (ASCII) plays the HTTP simulator's idempotency key for the counters only
 * ({@code repeated_requests}, {@link SmscSimulatorStats#acceptedIdsByKey()}).
 */
public final class SmscSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SmscSimulator.class);

  /** What the simulator calls itself in its bind_resp. */
  public static final String SMSC_SYSTEM_ID = "smsc-sim";
  /** jsmpp threads per session that decide PDUs; the simulator's never wait (their answers are scheduled). */
  static final int PDU_PROCESSOR_DEGREE = 4;
  /** PDUs a session queues before jsmpp itself answers ESME_RTHROTTLED: far above any client's window. */
  static final int PDU_QUEUE_CAPACITY = 10_000;
  static final int BIND_TIMEOUT_MS = 5_000;
  /** How long a deliver_sm waits for its deliver_sm_resp before the receipt counts as failed. */
  static final long TRANSACTION_TIMER_MS = 5_000;
  /** A refused bind's connection is closed this long after the bind_resp, so the client reads the status first. */
  static final long REFUSED_CLOSE_MS = 1_000;

  private final ProviderSimSettings settings;
  private final SmscSimulatorStats stats = new SmscSimulatorStats();
  private final SmscSessions sessions = new SmscSessions(stats);
  private final DeliveryReceiptSender receipts;
  private final SubmitSmHandler submits;
  /** Writes the deferred submit_sm_resps, and closes refused binds. */
  private final ScheduledExecutorService answers = Executors.newScheduledThreadPool(2, daemonThreads("smsc-sim-answers"));
  /** One short task per connection: waits for its bind and decides it. */
  private final ExecutorService binds = Executors.newCachedThreadPool(daemonThreads("smsc-sim-bind"));
  private final SessionStateListener closedSessions = (newState, oldState, source) -> {
    if (newState == SessionState.CLOSED && source instanceof SMPPServerSession session) sessions.closed(session);
  };

  private ServerSocket listener;
  private Thread acceptor;
  /** The port listened on: configured, or the one picked at the first start and kept for the next. */
  private int port;
  private boolean closed;

  public SmscSimulator(ProviderSimSettings settings) {
    this.settings = settings;
    this.port = settings.smppPort();
    this.receipts = new DeliveryReceiptSender(settings, stats, sessions);
    this.submits = new SubmitSmHandler(settings, stats, sessions, receipts);
  }

  /** A simulator listening on {@code provider_sim.smpp_port} (0: a free one, {@link #port()}). */
  public static SmscSimulator start(ProviderSimSettings settings) throws IOException {
    SmscSimulator simulator = new SmscSimulator(settings);
    simulator.start();
    return simulator;
  }

  /**
   * conf/smsgw.json's provider_sim with its delays cut to milliseconds (answers in ~5 ms, late decisions after 300 ms,
   * receipts after ~100 ms, their retries within 500 ms), and the given {@code provider_sim} keys on top: for tests
   * that drive the simulator and should not wait on it.
   */
  public static ProviderSimSettings fastSettings(Map<String, String> keys) {
    Map<String, String> env = new HashMap<>(Map.of(
      "SMSGW_PROVIDER_SIM_LATENCY_MS", "5",
      "SMSGW_PROVIDER_SIM_JITTER_MS", "2",
      "SMSGW_PROVIDER_SIM_LATE_DECISION_MS", "300",
      "SMSGW_PROVIDER_SIM_DLR_DELAY_MS", "100",
      "SMSGW_PROVIDER_SIM_DLR_JITTER_MS", "50",
      "SMSGW_PROVIDER_SIM_DLR_RETRY_MAX_MS", "500"));
    keys.forEach((k, v) -> env.put("SMSGW_PROVIDER_SIM_" + k.toUpperCase(Locale.ROOT), v));
    return GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env).providerSim();
  }

  /** Listens (again, after {@link #stop()}: on the same port). */
  public synchronized void start() throws IOException {
    if (closed) throw new IllegalStateException("the SMSC simulator is closed");
    if (listener != null) return;
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);  // a restart on the port just closed, with connections still in TIME_WAIT
    try {
      socket.bind(new InetSocketAddress(port), 128);
    } catch (IOException e) {
      socket.close();
      throw new IOException("SMSC simulator: cannot listen on port " + port + ": " + e.getMessage(), e);
    }
    listener = socket;
    port = socket.getLocalPort();
    acceptor = daemonThreads("smsc-sim-accept").newThread(() -> acceptAll(socket));
    acceptor.start();
    LOG.info("SMSC simulator: SMPP on port {} (system_id {}, receipts {})", port, settings.smppSystemId(),
      settings.smppReceipts() ? "on" : "off");
  }

  /** Stops listening and closes every session; {@link #start()} may follow. */
  public void stop() {
    Thread accepting;
    synchronized (this) {
      if (listener == null) return;
      try {
        listener.close();
      } catch (IOException e) {
        LOG.debug("SMSC simulator: closing the listener", e);
      }
      listener = null;
      accepting = acceptor;
      acceptor = null;
    }
    try {
      accepting.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SMPPServerSession session : sessions.all()) session.close();
  }

  /** Stops for good: also the receipts (those not sent are lost) and every thread. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    stop();
    receipts.close();
    answers.shutdownNow();
    binds.shutdownNow();
  }

  /** The port it listens on (after stop, the one it will listen on again). */
  public synchronized int port() {
    return port;
  }

  public synchronized boolean running() {
    return listener != null;
  }

  public SmscSimulatorStats stats() {
    return stats;
  }

  private void acceptAll(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        if (!socket.isClosed()) LOG.warn("SMSC simulator: accept failed: {}", e.toString());
        continue;
      }
      try {
        binds.execute(() -> open(connection, socket));
      } catch (RejectedExecutionException e) {
        closeQuietly(connection);
      }
    }
  }

  /** One connection: a session that waits for its bind, and the bind decided. */
  private void open(Socket socket, ServerSocket from) {
    SMPPServerSession session;
    try {
      SocketConnection connection = new SocketConnection(socket);
      connection.setSoTimeout(BIND_TIMEOUT_MS);
      DeferredSubmitSmResponses responses = new DeferredSubmitSmResponses(answers);
      session = new SMPPServerSession(connection, closedSessions, submits, null, PDU_PROCESSOR_DEGREE,
        PDU_QUEUE_CAPACITY, responses, new DefaultPDUReader());
      sessions.opened(session, responses);
    } catch (IOException | RuntimeException e) {
      LOG.warn("SMSC simulator: cannot open a session: {}", e.toString());
      closeQuietly(socket);
      return;
    }
    if (from.isClosed()) {  // stopped meanwhile: stop() may have closed the others before this one was known
      session.close();
      return;
    }
    try {
      bind(session, session.waitForBind(BIND_TIMEOUT_MS));
    } catch (TimeoutException e) {
      LOG.info("SMSC simulator: no bind within {} ms from {}", BIND_TIMEOUT_MS, socket.getRemoteSocketAddress());
    } catch (IOException | PDUStringException | RuntimeException e) {
      LOG.warn("SMSC simulator: bind from {} failed: {}", socket.getRemoteSocketAddress(), e.toString());
      session.close();
    }
  }

  private void bind(SMPPServerSession session, BindRequest request) throws IOException, PDUStringException {
    String systemId = settings.smppSystemId();
    int refusal = !systemId.equals(request.getSystemId()) ? SMPPConstant.STAT_ESME_RINVSYSID
      : !Objects.equals(settings.smppPassword(), request.getPassword() == null ? "" : request.getPassword())
      ? SMPPConstant.STAT_ESME_RINVPASWD
      : SMPPConstant.STAT_ESME_ROK;
    if (refusal != SMPPConstant.STAT_ESME_ROK) {
      stats.bindsRefused.incrementAndGet();
      LOG.info("SMSC simulator: {} as \"{}\" refused (0x{})", request.getBindType(), request.getSystemId(),
        Integer.toHexString(refusal));
      request.reject(refusal);
      try {
        answers.schedule(session::close, REFUSED_CLOSE_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        session.close();
      }
      return;
    }
    session.setInterfaceVersion(InterfaceVersion.IF_34.min(request.getInterfaceVersion()));
    session.setTransactionTimer(TRANSACTION_TIMER_MS);
    request.accept(SMSC_SYSTEM_ID, InterfaceVersion.IF_34);
    boolean receives = request.getBindType().isReceivable();
    sessions.bound(session, systemId, receives);
    if (!session.getSessionState().isBound()) {
      sessions.closed(session);  // it closed between the bind_resp and now: not counted open
      return;
    }
    LOG.debug("SMSC simulator: {} as \"{}\" from {}", request.getBindType(), systemId, session.getInetAddress());
    if (receives) receipts.receiverBound();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // gone already
    }
  }

  /** Daemon threads named {@code <name>-<n>}: the simulator never keeps a JVM alive. */
  static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
