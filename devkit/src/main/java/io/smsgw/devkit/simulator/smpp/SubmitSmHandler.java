package io.smsgw.devkit.simulator.smpp;

import io.smsgw.config.ProviderSimSettings;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.util.MessageId;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides every {@code submit_sm} the SMSC simulator receives, on jsmpp's PDU-processor thread, without waiting: the
 * verdict is returned (accepted, with a fresh SMSC message id) or thrown (a command status) at once, and how long
 * its resp is held goes to the session's {@link DeferredSubmitSmResponses}. The same behaviour as the HTTP
 * simulator's, in SMPP terms (see {@link SmscSimulator} for the list). Other requests than submit_sm are refused
 * with ESME_RINVCMDID: the gateway sends none.
 */
final class SubmitSmHandler implements ServerMessageReceiverListener {

  /** The vendor TLV that carries the gateway's message id: counted like the HTTP simulator's idempotency key. */
  static final short CLIENT_KEY_TAG = 0x1501;
  /** SMPP 3.4 registered_delivery bits 0-1: 01 a receipt on success or failure, 10 on failure only. */
  private static final int RECEIPT_MASK = 0x03;
  private static final int RECEIPT_ALWAYS = 0x01;
  private static final int RECEIPT_ON_FAILURE = 0x02;
  /** A lost answer comes at least this long after the decision (the HTTP simulator's late answer). */
  static final long MIN_LOST_ANSWER_MS = 10_000;

  private final SmscSimulatorStats stats;
  private final SmscSessions sessions;
  private final DeliveryReceiptSender receipts;
  private final boolean sendsReceipts;
  private final long latencyMs;
  private final long jitterMs;
  private final long maxPerSecond;
  private final double transientRate;
  private final double slowRate;
  private final long lateDecisionMs;
  /** destination + text → transient failures so far, for the "fails twice, then succeeds" number. */
  private final ConcurrentHashMap<String, Integer> flakyFailures = new ConcurrentHashMap<>();
  private long windowSecond;
  private long windowCount;

  SubmitSmHandler(ProviderSimSettings settings, SmscSimulatorStats stats, SmscSessions sessions, DeliveryReceiptSender receipts) {
    this.stats = stats;
    this.sessions = sessions;
    this.receipts = receipts;
    this.sendsReceipts = settings.smppReceipts();
    this.latencyMs = settings.latencyMs();
    this.jitterMs = settings.jitterMs();
    this.maxPerSecond = settings.maxPerSecond();
    this.transientRate = settings.transientFailureRate();
    this.slowRate = settings.slowAnswerRate();
    this.lateDecisionMs = settings.lateDecisionMs();
  }

  /** How long a lost answer (+15005550006, slow_answer_rate) is held: long after any sane client has given up. */
  long lostAnswerMs() {
    return Math.max(MIN_LOST_ANSWER_MS, 3 * lateDecisionMs);
  }

  @Override
  public SubmitSmResult onAcceptSubmitSm(SubmitSm submit, SMPPServerSession source) throws ProcessRequestException {
    stats.submitsReceived.incrementAndGet();
    DeferredSubmitSmResponses responses = sessions.responsesOf(source);
    int sequence = submit.getSequenceNumber();
    if (overCap()) {
      stats.throttled.incrementAndGet();
      throw new ProcessRequestException("throttled", SMPPConstant.STAT_ESME_RTHROTTLED);  // at once, as the HTTP 429
    }
    MessageParts part = MessageParts.of(submit);
    String to = withPlus(submit.getDestAddress());
    long decideIn = delay();
    switch (to) {
      case ProviderSimulatorVerticle.INVALID_NUMBER -> {
        stats.refusedPermanently.incrementAndGet();
        throw refuse(responses, sequence, decideIn, "invalid destination", SMPPConstant.STAT_ESME_RINVDSTADR);
      }
      case ProviderSimulatorVerticle.BLOCKED_NUMBER -> {
        stats.refusedPermanently.incrementAndGet();
        throw refuse(responses, sequence, decideIn, "rejected", SMPPConstant.STAT_ESME_RX_R_APPN);
      }
      case ProviderSimulatorVerticle.ALWAYS_TRANSIENT_NUMBER -> {
        stats.failedTransiently.incrementAndGet();
        throw refuse(responses, sequence, decideIn, "system error", SMPPConstant.STAT_ESME_RSYSERR);
      }
      case ProviderSimulatorVerticle.FLAKY_NUMBER -> {
        if (failsAgain(to + '\n' + part.sequence() + '\n' + part.text())) {
          stats.failedTransiently.incrementAndGet();
          throw refuse(responses, sequence, decideIn, "system error", SMPPConstant.STAT_ESME_RSYSERR);
        }
        return accept(submit, source, part, responses, decideIn, decideIn, false);
      }
      case ProviderSimulatorVerticle.LOST_ANSWER_NUMBER -> {
        stats.lateAnswers.incrementAndGet();
        return accept(submit, source, part, responses, decideIn, decideIn + lostAnswerMs(), false);
      }
      case ProviderSimulatorVerticle.LATE_DECISION_NUMBER -> {
        long decided = decideIn + lateDecisionMs;
        return accept(submit, source, part, responses, decided, decided, false);
      }
      case ProviderSimulatorVerticle.UNDELIVERED_NUMBER -> {
        return accept(submit, source, part, responses, decideIn, decideIn, true);
      }
      default -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (transientRate > 0 && random.nextDouble() < transientRate) {
          stats.failedTransiently.incrementAndGet();
          throw refuse(responses, sequence, decideIn, "message queue full", SMPPConstant.STAT_ESME_RMSGQFUL);
        }
        boolean slow = slowRate > 0 && random.nextDouble() < slowRate;
        if (slow) stats.lateAnswers.incrementAndGet();
        return accept(submit, source, part, responses, decideIn, slow ? decideIn + lostAnswerMs() : decideIn, false);
      }
    }
  }

  /**
   * Accepted: a fresh SMSC id, recorded under the client key if there is one, its receipt scheduled {@code decidedInMs}
   * plus the receipt delay from now, and its resp written {@code answerInMs} from now.
   */
  private SubmitSmResult accept(SubmitSm submit, SMPPServerSession source, MessageParts part,
                                DeferredSubmitSmResponses responses, long decidedInMs, long answerInMs,
                                boolean undelivered) throws ProcessRequestException {
    String smscId = stats.nextSmscId();
    MessageId messageId;
    try {
      messageId = new MessageId(smscId);
    } catch (PDUStringException e) {
      throw new ProcessRequestException("bad message id " + smscId, SMPPConstant.STAT_ESME_RSYSERR);
    }
    stats.accepted(clientKey(submit), part, smscId);
    int wanted = submit.getRegisteredDelivery() & RECEIPT_MASK;
    if (sendsReceipts && (wanted == RECEIPT_ALWAYS || wanted == RECEIPT_ON_FAILURE)) {
      String systemId = sessions.systemIdOf(source);
      receipts.accepted(new DeliveryReceiptSender.Accepted(systemId == null ? "" : systemId, smscId,
          submit.getSourceAddrTon(), submit.getSourceAddrNpi(), submit.getSourceAddr(),
          submit.getDestAddrTon(), submit.getDestAddrNpi(), submit.getDestAddress(), part.text(), System.currentTimeMillis()),
        decidedInMs, undelivered, wanted == RECEIPT_ON_FAILURE);
    }
    if (responses != null) responses.answerAfter(submit.getSequenceNumber(), answerInMs);
    return new SubmitSmResult(messageId, new OptionalParameter[0]);
  }

  private static ProcessRequestException refuse(DeferredSubmitSmResponses responses, int sequence, long inMs,
                                                String why, int commandStatus) {
    if (responses != null) responses.answerAfter(sequence, inMs);
    return new ProcessRequestException(why, commandStatus);
  }

  /** True for the first two submits of this destination and text, false from the third on. */
  private boolean failsAgain(String key) {
    boolean[] fails = {false};
    flakyFailures.compute(key, (k, n) -> {
      int failed = n == null ? 0 : n;
      if (failed >= 2) return failed;
      fails[0] = true;
      return failed + 1;
    });
    return fails[0];
  }

  /** The gateway's message id from TLV 0x1501 (ASCII, a closing NUL tolerated), or null without it. */
  static String clientKey(SubmitSm submit) {
    OptionalParameter tlv = submit.getOptionalParameter(CLIENT_KEY_TAG);
    if (!(tlv instanceof OptionalParameter.OctetString octets)) return null;
    byte[] value = octets.getValue();
    int length = value.length;
    while (length > 0 && value[length - 1] == 0) length--;
    return length == 0 ? null : new String(value, 0, length, StandardCharsets.US_ASCII);
  }

  /** The magic numbers are compared with their '+': a client may send them with or without it. */
  private static String withPlus(String destination) {
    if (destination == null) return "";
    String trimmed = destination.trim();
    return trimmed.startsWith("+") ? trimmed : "+" + trimmed;
  }

  private long delay() {
    return Math.max(1, latencyMs + (jitterMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterMs, jitterMs + 1)));
  }

  /** {@code max_per_second} for the whole simulator, every session together, in whole-second windows. */
  private synchronized boolean overCap() {
    long second = System.currentTimeMillis() / 1000;
    if (second != windowSecond) {
      windowSecond = second;
      windowCount = 0;
    }
    if (windowCount >= maxPerSecond) return true;
    windowCount++;
    return false;
  }

  private static ProcessRequestException notSupported(String what) {
    return new ProcessRequestException(what + " is not supported by the simulator", SMPPConstant.STAT_ESME_RINVCMDID);
  }

  @Override
  public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source) throws ProcessRequestException {
    throw notSupported("submit_multi");
  }

  @Override
  public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
    throw notSupported("query_sm");
  }

  @Override
  public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
    throw notSupported("replace_sm");
  }

  @Override
  public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
    throw notSupported("cancel_sm");
  }

  @Override
  public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source) throws ProcessRequestException {
    throw notSupported("broadcast_sm");
  }

  @Override
  public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source) throws ProcessRequestException {
    throw notSupported("cancel_broadcast_sm");
  }

  @Override
  public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm, SMPPServerSession source)
    throws ProcessRequestException {
    throw notSupported("query_broadcast_sm");
  }

  @Override
  public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
    throw notSupported("data_sm");
  }
}
