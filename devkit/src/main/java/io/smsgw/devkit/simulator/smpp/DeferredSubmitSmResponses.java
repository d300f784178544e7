package io.smsgw.devkit.simulator.smpp;

import org.jsmpp.DefaultPDUSender;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.OptionalParameter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One session's PDU writer, which sends each {@code submit_sm_resp} when the simulator says, not when jsmpp asks.
 *
 * <p>Why: jsmpp answers a submit_sm with whatever {@code ServerMessageReceiverListener.onAcceptSubmitSm} returns (or
 * throws), written at once on the PDU-processor thread that called it ({@code SMPPServerSessionBoundTX.processSubmitSm}
 * → {@code ServerResponseHandler.sendSubmitSmResponse} / {@code sendNegativeResponse} → this {@code PDUSender}). A
 * listener that slept for the latency, or for a late or lost answer, would hold one of the session's few processor
 * threads ({@code setPduProcessorDegree}) each time, and past the queue jsmpp itself answers ESME_RTHROTTLED. Instead
 * the listener decides at once and leaves the delay here by sequence number ({@link #answerAfter}); the write of that
 * resp, positive ({@code sendSubmitSmResp}) or negative ({@code sendHeader} with submit_sm_resp's command id), goes to
 * a shared scheduler and the processor thread is free for the next PDU. Every other PDU is written as jsmpp writes it.
 *
 * <p>Writes are serialised on the stream, as {@link SynchronizedPDUSender} does for the others: its
 * {@code sendSubmitSmResp} is not synchronised in jsmpp 3.0.x, and here responses come from several threads.
 */
final class DeferredSubmitSmResponses extends SynchronizedPDUSender {

  private final ScheduledExecutorService scheduler;
  /** sequence_number of a submit_sm → how long after the listener decided its resp is written. */
  private final ConcurrentHashMap<Integer, Long> delays = new ConcurrentHashMap<>();

  DeferredSubmitSmResponses(ScheduledExecutorService scheduler) {
    super(new DefaultPDUSender());
    this.scheduler = scheduler;
  }

  /** The resp to the submit_sm with this sequence number goes out {@code delayMs} from now (0: at once). */
  void answerAfter(int sequenceNumber, long delayMs) {
    if (delayMs > 0) delays.put(sequenceNumber, delayMs);
  }

  @Override
  public byte[] sendSubmitSmResp(OutputStream os, int sequenceNumber, String messageId,
                                 OptionalParameter... optionalParameters) throws PDUStringException, IOException {
    Long delay = delays.remove(sequenceNumber);
    if (delay == null) {
      synchronized (os) {
        return super.sendSubmitSmResp(os, sequenceNumber, messageId, optionalParameters);
      }
    }
    later(delay, () -> {
      synchronized (os) {
        super.sendSubmitSmResp(os, sequenceNumber, messageId, optionalParameters);
      }
    });
    return new byte[0];
  }

  @Override
  public byte[] sendHeader(OutputStream os, int commandId, int commandStatus, int sequenceNumber) throws IOException {
    Long delay = commandId == SMPPConstant.CID_SUBMIT_SM_RESP ? delays.remove(sequenceNumber) : null;
    if (delay == null) return super.sendHeader(os, commandId, commandStatus, sequenceNumber);
    later(delay, () -> super.sendHeader(os, commandId, commandStatus, sequenceNumber));
    return new byte[0];
  }

  private interface Write {
    void run() throws IOException, PDUStringException;
  }

  /** A write that fails later (the session is gone, or the simulator stopped) is an answer the client never gets. */
  private void later(long delayMs, Write write) {
    try {
      scheduler.schedule(() -> {
        try {
          write.run();
        } catch (IOException | PDUStringException | RuntimeException e) {
          // the session closed before its answer was due: as a real SMSC's, the answer is lost
        }
      }, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the simulator is closing
    }
  }
}
