package io.smsgw.devkit.simulator.smpp;

import org.jsmpp.extra.SessionState;
import org.jsmpp.session.SMPPServerSession;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SMSC simulator's open sessions: each with its response writer, and the bound ones that can take a
 * {@code deliver_sm} (receiver or transceiver) by system_id, handed out round-robin. As a real SMSC, a receipt goes to
 * any such bind of the system_id that submitted the message, not necessarily the session it came on.
 */
final class SmscSessions {

  private final ConcurrentHashMap<SMPPServerSession, DeferredSubmitSmResponses> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SMPPServerSession, String> systemIdOf = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<SMPPServerSession>> receivers = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final SmscSimulatorStats stats;

  SmscSessions(SmscSimulatorStats stats) {
    this.stats = stats;
  }

  void opened(SMPPServerSession session, DeferredSubmitSmResponses responses) {
    open.put(session, responses);
  }

  DeferredSubmitSmResponses responsesOf(SMPPServerSession session) {
    return open.get(session);
  }

  /** The bind was accepted: the session counts as open, and as a receiver if it is one. */
  void bound(SMPPServerSession session, String systemId, boolean receives) {
    systemIdOf.put(session, systemId);
    stats.bindsOpen.incrementAndGet();
    stats.bindsTotal.incrementAndGet();
    if (receives) receivers.computeIfAbsent(systemId, k -> new CopyOnWriteArrayList<>()).add(session);
  }

  /** The system_id this session bound as, or null before its bind. */
  String systemIdOf(SMPPServerSession session) {
    return systemIdOf.get(session);
  }

  /** The session closed (unbind, the client went away, or stop): forgotten; called once per session. */
  void closed(SMPPServerSession session) {
    open.remove(session);
    String systemId = systemIdOf.remove(session);
    if (systemId == null) return;
    stats.bindsOpen.decrementAndGet();
    List<SMPPServerSession> list = receivers.get(systemId);
    if (list != null) list.remove(session);
  }

  /** A bound session of this system_id that takes deliver_sm, round-robin; null if there is none. */
  SMPPServerSession nextReceiver(String systemId) {
    List<SMPPServerSession> list = receivers.get(systemId);
    if (list == null) return null;
    for (int tries = list.size(); tries > 0; tries--) {
      int size = list.size();
      if (size == 0) return null;
      SMPPServerSession session;
      try {
        session = list.get(Math.floorMod(next.getAndIncrement(), size));
      } catch (IndexOutOfBoundsException e) {
        continue;  // one closed meanwhile
      }
      SessionState state = session.getSessionState();
      if (state.isReceivable()) return session;
    }
    return null;
  }

  /** Every open session, bound or not (for stop). */
  List<SMPPServerSession> all() {
    return List.copyOf(open.keySet());
  }
}
