package io.smsgw.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook side of {@code e2e}: a {@link BenchWebhookReceiver} on a Vert.x instance of its own with one event loop
 * (the load generator's event loops keep their timing), and a webhook to it for the first {@code share} of the bench
 * users (the mix spreads requests evenly over the users, so they get that share of the messages).
 *
 * <p>The webhooks are written straight into PostgreSQL, in one batch before the warm-up, as PUT /webhook stores them,
 * with secrets made here: the users themselves are created over the event bus, not the API, the receiver knows every
 * secret before the first event, and a thousand PUTs (API keys, URL lookups) would measure registration, which
 * WebhookRegistrationIT covers. The dispatcher still checks every URL again before each delivery.
 */
final class EndToEndWebhooks implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  final BenchWebhookReceiver receiver;
  final int users;
  /** The receiver's event loops: two, as many as the machine's cores (one was a limit of the run, not of the gateway). */
  static final int RECEIVER_LOOPS = 2;

  private EndToEndWebhooks(Vertx vertx, BenchWebhookReceiver receiver, int users) {
    this.vertx = vertx;
    this.receiver = receiver;
    this.users = users;
  }

  static EndToEndWebhooks start(BenchEnvironment env, List<JsonObject> users, double share, int verifyEvery) {
    if (share < 0 || share > 1) throw new IllegalArgumentException("--webhook-share must be between 0 and 1, not " + share);
    int count = (int) Math.round(share * users.size());
    Map<String, String> secretByUser = new LinkedHashMap<>();
    for (JsonObject user : users.subList(0, count)) secretByUser.put(user.getString("user_id"), newSecret());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(RECEIVER_LOOPS));
    try {
      BenchWebhookReceiver receiver = BenchWebhookReceiver.start(vertx, secretByUser, verifyEvery, RECEIVER_LOOPS).await();
      List<List<Object>> rows = new ArrayList<>();
      secretByUser.forEach((user, secret) -> rows.add(List.of(user, receiver.url(user), secret)));
      if (!rows.isEmpty()) env.batch(BenchSql.REGISTER_WEBHOOK, rows);
      return new EndToEndWebhooks(vertx, receiver, count);
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
  }

  /** As the gateway makes them (WebhookVerticle): {@code whsec_} and 32 random bytes in hex. */
  private static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return "whsec_" + HexFormat.of().formatHex(key);
  }

  @Override
  public void close() {
    try {
      receiver.close().await();
    } finally {
      vertx.close().await();  // not chained on the receiver's future: that would complete on a loop already shut down
    }
  }
}
