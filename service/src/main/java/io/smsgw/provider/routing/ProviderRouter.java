package io.smsgw.provider.routing;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.RoutingSettings;
import io.smsgw.domain.SmsMessage;
import io.smsgw.provider.HttpSmsProvider;
import io.smsgw.provider.LookupResult;
import io.smsgw.provider.ProviderResult;
import io.smsgw.provider.SmsProvider;
import io.smsgw.provider.smpp.SmppSmsProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A sender's way out: the providers of {@code routing.providers}, and for each message the route's providers in
 * order (RouteTable). A message goes to the first whose circuit breaker lets it through; it moves on to the next only
 * when that one <em>definitely</em> did not take it (it said so: 429, 503, a per-message "retry", SMPP throttling;
 * or the request never left: connection refused, not bound; or its breaker is open and nothing was sent). An answer
 * that leaves it open whether the provider took the message (a timeout, a lost submit_sm_resp, a 500) ends the
 * message's routing there: the message is pinned to that provider (messages.provider), and its retries and its
 * lookup go to it alone, so a failover can never send it twice. A permanent refusal of the number is the message's
 * end, not the provider's fault: no failover.
 */
public final class ProviderRouter {

  /**
   * One message's answer and the provider that gave it (the last one tried). {@code tried}: false when no provider was
   * tried at all in this attempt (every breaker on its route open, or its pinned provider gone): nothing was sent, and
   * the message waits without spending an attempt. {@code waitMs}: when not tried, how long until the first breaker
   * that refused it lets requests through again (0 when none is open, or not known).
   */
  public record Routed(ProviderResult result, String provider, boolean tried, long waitMs) {
  }

  private final Map<String, SmsProvider> providers = new LinkedHashMap<>();
  private final Map<String, ProviderHealth> health = new LinkedHashMap<>();
  private final RouteTable table;
  private final List<Runnable> unregister = new ArrayList<>();

  /** The router of one sender verticle: one connection (HTTP client, SMPP binds) per provider. */
  public static ProviderRouter create(Vertx vertx, Pool pool, GatewayConfig config) {
    RoutingSettings routing = config.routing();
    Map<String, SmsProvider> made = new LinkedHashMap<>();
    for (RoutingSettings.ProviderSpec spec : routing.providers()) {
      made.put(spec.id(), spec.isSmpp() ? new SmppSmsProvider(vertx, pool, spec.smpp()) : new HttpSmsProvider(vertx, spec.http()));
    }
    return new ProviderRouter(vertx, routing, made);
  }

  /** {@code providers}: by id, every id of {@code routing.providers} (tests give their own). */
  public ProviderRouter(Vertx vertx, RoutingSettings routing, Map<String, SmsProvider> providers) {
    this.table = new RouteTable(routing);
    for (RoutingSettings.ProviderSpec spec : routing.providers()) {
      SmsProvider p = providers.get(spec.id());
      if (p == null) throw new IllegalArgumentException("no provider for " + spec.id());
      this.providers.put(spec.id(), p);
      ProviderHealth h = ProviderHealth.of(vertx, spec.id(), spec.kind(), routing);
      health.put(spec.id(), h);
      if (p instanceof SmppSmsProvider smpp) unregister.add(h.addConnections(smpp::view));
    }
  }

  /** The longest a send through one provider takes (the longest of them): a claim must leave room for it. */
  public long maxSendMs() {
    long max = 0;
    for (SmsProvider p : providers.values()) max = Math.max(max, p.maxSendMs());
    return max;
  }

  /** The provider a message in doubt without a recorded provider is asked about (sent before routing): its route's first. */
  private String resolve(SmsMessage message, String pinned) {
    if (pinned != null) return pinned;
    return table.candidates(message.phoneNumber(), message.priority(), () -> 0).get(0);
  }

  /** Whether {@code provider} (pinned, or null: see {@link #resolve}) can be asked whether it holds a message. */
  public boolean offersLookup(SmsMessage message, String pinned) {
    SmsProvider p = providers.get(resolve(message, pinned));
    return p != null && p.offersLookup();
  }

  /** Asks the provider the message is pinned to; a provider no longer configured cannot say. */
  public Future<LookupResult> lookup(SmsMessage message, String pinned) {
    String id = resolve(message, pinned);
    SmsProvider p = providers.get(id);
    if (p == null) return Future.succeededFuture(new LookupResult.Unsupported("provider " + id + " is no longer configured"));
    return p.lookup(message);
  }

  /**
   * Sends each message through its route; one answer per message, in order. {@code pins}: the provider each message
   * in doubt is pinned to (absent: not pinned). A failover starts only if the next provider's longest send ends before
   * {@code deadlineMs} (the claim's end, less a margin); otherwise the message is left "not taken" for its retry.
   * Never fails.
   */
  public Future<List<Routed>> send(List<SmsMessage> messages, Map<UUID, String> pins, long deadlineMs) {
    List<Attempt> attempts = new ArrayList<>(messages.size());
    for (SmsMessage m : messages) {
      String pin = pins.get(m.messageId());
      List<String> candidates = pin != null ? List.of(pin)
        : table.candidates(m.phoneNumber(), m.priority(), () -> ThreadLocalRandom.current().nextDouble());
      attempts.add(new Attempt(m, candidates, pin != null));
    }
    return round(attempts, deadlineMs).map(v -> {
      List<Routed> out = new ArrayList<>(attempts.size());
      for (Attempt a : attempts) out.add(new Routed(a.result, a.provider, a.tried, a.tried ? 0 : waitFor(a.skipped)));
      return out;
    });
  }

  private static final class Attempt {
    final SmsMessage message;
    final List<String> candidates;
    final boolean pinned;
    int next;
    ProviderResult result;
    String provider;
    boolean tried;
    final List<String> skipped = new ArrayList<>();

    Attempt(SmsMessage message, List<String> candidates, boolean pinned) {
      this.message = message;
      this.candidates = candidates;
      this.pinned = pinned;
    }
  }

  /** One round: each open attempt to its next provider that takes messages now; the definite "not taken" go round again. */
  private Future<Void> round(List<Attempt> open, long deadlineMs) {
    Map<String, List<Attempt>> byProvider = new LinkedHashMap<>();
    // One breaker permission per provider per round: the round's messages for a provider go in one request.
    Map<String, Boolean> permitted = new HashMap<>();
    long now = System.currentTimeMillis();
    for (Attempt a : open) {
      String chosen = null;
      while (a.next < a.candidates.size()) {
        String id = a.candidates.get(a.next++);
        SmsProvider p = providers.get(id);
        if (p == null) {
          // Pinned to a provider that was removed from conf: it may hold the message, so no other may send it.
          a.result = new ProviderResult.Transient("provider " + id + " (pinned: it may hold the message) is no longer configured", false);
          a.provider = id;
          break;
        }
        if (now + p.maxSendMs() > deadlineMs) {
          if (a.result == null) a.result = new ProviderResult.Transient("no time left in the claim to send through " + id, false);
          break;
        }
        if (!permitted.computeIfAbsent(id, k -> health.get(k).tryAcquire())) {
          health.get(id).skipped();
          a.skipped.add(id);
          continue;
        }
        chosen = id;
        break;
      }
      if (chosen == null) {
        if (a.result == null || a.result instanceof ProviderResult.Transient t && !t.mayHaveBeenTaken() && !a.skipped.isEmpty()) {
          a.result = new ProviderResult.Transient("no provider on the route takes messages now (circuit open: "
            + String.join(", ", a.skipped) + ")" + (a.result == null ? "" : "; last: " + reason(a.result)), false);
        }
        continue;
      }
      a.result = null;
      byProvider.computeIfAbsent(chosen, k -> new ArrayList<>()).add(a);
    }
    if (byProvider.isEmpty()) return Future.succeededFuture();
    List<Future<Void>> sent = new ArrayList<>(byProvider.size());
    List<Attempt> again = new ArrayList<>();
    byProvider.forEach((id, group) -> {
      ProviderHealth h = health.get(id);
      h.sending(group.size());
      long started = System.nanoTime();
      List<SmsMessage> batch = group.stream().map(a -> a.message).toList();
      // (an SmsProvider's future never fails; if one did, its messages count as perhaps taken: pinned, not resent elsewhere)
      sent.add(providers.get(id).send(batch).otherwise(failure -> java.util.Collections.nCopies(batch.size(),
        new ProviderResult.Transient("provider " + id + " failed: " + failure, true))).map(results -> {
        h.requestEnded(results, System.nanoTime() - started);
        for (int i = 0; i < group.size(); i++) {
          Attempt a = group.get(i);
          ProviderResult r = results.get(i);
          h.record(r);
          a.result = r;
          a.provider = id;
          a.tried = true;
          if (r instanceof ProviderResult.Transient t && !t.mayHaveBeenTaken() && !a.pinned && a.next < a.candidates.size()) {
            h.failedOver();
            again.add(a);
          }
        }
        return null;
      }));
    });
    return Future.join(sent).transform(done -> again.isEmpty() ? Future.succeededFuture() : round(again, deadlineMs));
  }

  /** For a message no provider took: how long until the first of the breakers that refused it lets requests through. */
  private long waitFor(List<String> skipped) {
    long wait = Long.MAX_VALUE;
    for (String id : skipped) wait = Math.min(wait, health.get(id).openForMs());
    return skipped.isEmpty() ? 0 : wait;
  }

  private static String reason(ProviderResult r) {
    return r instanceof ProviderResult.Transient t ? t.reason() : r.toString();
  }

  public Future<Void> close() {
    unregister.forEach(Runnable::run);
    List<Future<Void>> closed = new ArrayList<>();
    providers.values().forEach(p -> closed.add(p.close()));
    return Future.join(closed).mapEmpty();
  }
}
