package io.smsgw.bench;

import io.smsgw.provider.ReportSignature;
import io.smsgw.webhook.WebhookDispatcher;
import io.smsgw.devkit.FreePorts;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The users' webhook receiver of the e2e run, in the bench JVM on 127.0.0.1: {@code POST /hooks/<user_id>} answers 200
 * with an empty body at once and counts the event. It shares the cores with what it measures, so it does little: one
 * in {@code verifyEvery} requests has its {@code X-Smsgw-Signature} checked with the user's secret (an HMAC of the body);
 * the others are not even read into one buffer. Every {@code X-Smsgw-Event-Id} goes into an {@link EventIdSet}, which
 * tells redeliveries (the dispatcher is at least once) from distinct events.
 */
final class BenchWebhookReceiver {

  static final String PATH = "/hooks/";
  /** The receiver's side of the timestamp check, as docs/api.md tells a receiver to do. */
  private static final long TOLERANCE_S = 300;
  /** 2M ids (32 MB at most): more events than a default e2e run makes. */
  private static final int MAX_TRACKED_IDS = 1 << 21;

  private final Map<String, String> secretByUser;
  private final int verifyEvery;
  private final EventIdSet ids = new EventIdSet(MAX_TRACKED_IDS);
  private final AtomicLong arrivals = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong checked = new AtomicLong();
  private final AtomicLong signatureFailures = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong misrouted = new AtomicLong();
  private final AtomicLong withoutId = new AtomicLong();
  private Vertx vertx;
  private int port;
  private String deployment;

  private BenchWebhookReceiver(Map<String, String> secretByUser, int verifyEvery) {
    this.secretByUser = Map.copyOf(secretByUser);
    this.verifyEvery = Math.max(1, verifyEvery);
  }

  /** Listens on 127.0.0.1, on a free port; {@code secretByUser}: user_id → webhook secret. */
  static Future<BenchWebhookReceiver> start(Vertx vertx, Map<String, String> secretByUser, int verifyEvery) {
    return start(vertx, secretByUser, verifyEvery, 1);
  }

  /** The same, with one server per event loop for {@code loops} of {@code vertx}'s loops (Vert.x spreads the port's
   * connections over them): one loop answering thousands of POSTs a second on a busy machine was a limit of the run,
   * where a real receiver is another machine. The counters are shared and thread-safe. */
  static Future<BenchWebhookReceiver> start(Vertx vertx, Map<String, String> secretByUser, int verifyEvery, int loops) {
    BenchWebhookReceiver receiver = new BenchWebhookReceiver(secretByUser, verifyEvery);
    receiver.vertx = vertx;
    receiver.port = FreePorts.next();
    return vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.createHttpServer().requestHandler(receiver::handle).listen(receiver.port, "127.0.0.1");
        }
      }, new DeploymentOptions().setInstances(loops))
      .map(id -> {
        receiver.deployment = id;
        return receiver;
      });
  }

  int port() {
    return port;
  }

  String url(String userId) {
    return "http://127.0.0.1:" + port() + PATH + userId;
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    String secret = request.method() == HttpMethod.POST && path.startsWith(PATH) ? secretByUser.get(path.substring(PATH.length())) : null;
    if (secret == null) {  // not a webhook the run registered: a mistake in the setup, answered so the dispatcher retries
      misrouted.incrementAndGet();
      request.response().setStatusCode(404).end();
      return;
    }
    boolean verify = arrivals.getAndIncrement() % verifyEvery == 0;  // the first, then one in verifyEvery
    String eventId = request.getHeader(WebhookDispatcher.EVENT_ID_HEADER);
    if (!verify) {
      request.handler(chunk -> { }).end().onSuccess(done -> answer(request, eventId));
      return;
    }
    String signature = request.getHeader(WebhookDispatcher.SIGNATURE_HEADER);
    request.body().onSuccess(body -> {
      checked.incrementAndGet();
      long now = System.currentTimeMillis() / 1000;
      if (!ReportSignature.verify(secret, signature, body.getBytes(), now, TOLERANCE_S)) signatureFailures.incrementAndGet();
      answer(request, eventId);
    });  // a request whose connection broke is not answered, nor counted: the dispatcher sends it again
  }

  private void answer(HttpServerRequest request, String eventId) {
    received.incrementAndGet();
    countId(eventId);
    request.response().end();
  }

  private void countId(String header) {
    UUID id;
    try {
      id = header == null ? null : UUID.fromString(header);
    } catch (IllegalArgumentException malformed) {
      id = null;
    }
    if (id == null) withoutId.incrementAndGet();  // the dispatcher always sends one
    else if (!ids.add(id)) duplicates.incrementAndGet();
  }

  /** Events answered 200, redeliveries included. */
  long received() {
    return received.get();
  }

  long signaturesChecked() {
    return checked.get();
  }

  long signatureFailures() {
    return signatureFailures.get();
  }

  /** Events whose id came before: the dispatcher sent them again (a lost answer, a lease that ran out). */
  long duplicates() {
    return duplicates.get();
  }

  long distinctEvents() {
    return ids.size();
  }

  /** Events the distinct and duplicate counts leave out: the set was full, or no readable X-Smsgw-Event-Id. */
  long untrackedIds() {
    return ids.untracked() + withoutId.get();
  }

  /** Requests for no webhook the run registered (answered 404, not counted as received). */
  long misrouted() {
    return misrouted.get();
  }

  Future<Void> close() {
    return vertx.undeploy(deployment);  // closes its servers
  }
}
