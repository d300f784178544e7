package io.smsgw.wallet.async;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.platform.redis.LuaScripts;

import io.smsgw.wallet.WalletSql;

import io.smsgw.wallet.WalletAddresses;

import io.smsgw.wallet.BalanceModes;
import io.smsgw.platform.redis.RedisClients;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.DurableProducerConfig;
import io.smsgw.platform.kafka.SharedProducer;
import io.smsgw.platform.kafka.Topics;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.eventbus.SmsMessageCodec;
import io.smsgw.platform.pg.Database;
import io.smsgw.wallet.ChargeFailure;
import io.smsgw.wallet.ChargeOutcome;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The request path of async balance mode ({@code wallet.reserve}). With reservation on, one Lua script checks
 * and takes the cost from the user's cached available amount (idempotent per message_id); an async message is
 * then produced to {@code sms.accepted} (acks=all) and answered once Kafka acknowledged it; a sync lane beside
 * an async one (VIP) reserves too, so both lanes see one balance, and is then charged in PostgreSQL at once.
 * Without reservation, a locally cached PostgreSQL balance is the only check, and settlement decides.
 * See {@link RedisGuard} for Redis loss and outage.
 */
public class ReservationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ReservationVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setCodecName(SmsMessageCodec.NAME);
  private static final int MISS_RETRIES = 3;

  private BalanceModes modes;
  private DeliveryOptions charge;
  private Pool pool;
  private KafkaProducer<String, Buffer> producer;
  private long produceTimeoutMs;
  private int inFlightProduces;
  // reservation on
  private Redis redis;
  private LuaScripts scripts;
  private RedisKeys keys;
  private WalletCacheInvalidator invalidator;
  private RedisGuard guard;
  private long markerTtlS;
  private long cacheTtlS;
  private final Map<UUID, Future<Void>> seeding = new HashMap<>();
  // reservation off
  private UnreservedBalances unreserved;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    modes = BalanceModes.from(config);
    charge = new DeliveryOptions(LOCAL).setSendTimeout(io.smsgw.wallet.WalletVerticle.replyTimeoutMs(config));
    pool = Database.pool(vertx, config);
    produceTimeoutMs = config.settlement().produceTimeoutMs();
    producer = SharedProducer.ACCEPTED.open(vertx, producerConfig(config, produceTimeoutMs));
    producer.exceptionHandler(e -> LOG.debug("sms.accepted producer: {}", e.toString()));
    if (modes.reservation()) {
      redis = RedisClients.create(vertx, config);
      scripts = RedisClients.scripts(redis, config);
      keys = RedisKeys.of(config);
      invalidator = new WalletCacheInvalidator(scripts, keys);
      markerTtlS = config.redis().markerTtlS();
      cacheTtlS = config.redis().cacheTtlS();
      guard = new RedisGuard(vertx, config, scripts, keys, () -> inFlightProduces);
      guard.start();
    } else {
      unreserved = new UnreservedBalances(pool, config.balance().unreservedCacheMs());
    }
    var bus = vertx.eventBus();
    return Future.all(
      Bus.<SmsMessage>serve(vertx, WalletAddresses.WALLET_RESERVE, this::charge).completion(),
      Bus.<JsonObject>hear(vertx, WalletAddresses.WALLET_CACHE_INVALIDATE, this::invalidate).completion(),
      Bus.<JsonObject>serve(vertx, ReservationAddresses.RESERVATION_HEALTH, this::health).completion());
  }

  private void charge(Message<SmsMessage> request) {
    SmsMessage message = request.body();
    BalanceModes.Mode mode = modes.of(message.priority());
    if (!modes.reservation()) {
      unreserved(request, message);
      return;
    }
    switch (guard.state()) {
      case ACTIVE -> reserve(request, message, mode, guard.epoch(), 0);
      case SYNC -> {
        guard.markStale();
        chargeInPostgres(request, message);
      }
      default -> request.fail(503, "wallet cache is being rebuilt");
    }
  }

  private void reserve(Message<SmsMessage> request, SmsMessage m, BalanceModes.Mode mode, String epoch, int attempt) {
    scripts.run(ReservationScripts.RESERVE,
        List.of(keys.epoch(), keys.marker(m.messageId()), keys.available(m.userId(), epoch), keys.wallet(m.userId(), epoch)),
        epoch, m.cost(), m.userId(), markerTtlS, markerTtlS)
      .onComplete(answer -> {
        switch (answer.get(0).toString()) {
          case "OK" -> {
            if (mode == BalanceModes.Mode.ASYNC) {
              produce(request, m, epoch);
            } else {
              reservedThenSync(request, m, epoch);
            }
          }
          case "DUPLICATE" -> duplicate(request, m, UUID.fromString(answer.get(1).toString().substring(2)));
          case "LOW" -> reply(request, ChargeOutcome.Kind.INSUFFICIENT_BALANCE);
          case "MISS" -> {
            if (attempt >= MISS_RETRIES) {
              request.fail(503, "wallet cache could not be seeded");
              return;
            }
            seed(m.userId(), epoch).onComplete(seeded -> {
              // The guard may have left this epoch meanwhile; a drain only waits for reservations begun before it.
              if (guard.state() == RedisGuard.State.ACTIVE && epoch.equals(guard.epoch())) {
                reserve(request, m, mode, epoch, attempt + 1);
              } else {
                request.fail(503, "wallet cache is being rebuilt");
              }
            }, failure -> fail(request, failure));
          }
          case "EPOCH" -> {
            guard.onEpochMoved();
            request.fail(503, "wallet cache is being rebuilt");
          }
          default -> request.fail(500, "unexpected reservation answer " + answer);
        }
      }, failure -> fail(request, failure));
  }

  /** PostgreSQL did not answer a seed read: not a reason to leave Redis. */
  private static final class PostgresUnavailable extends RuntimeException {
    PostgresUnavailable(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /** A Redis failure (not PostgreSQL's) switches the guard to its fallback. Either way this request is 503. */
  private void fail(Message<?> request, Throwable failure) {
    if (!(failure instanceof PostgresUnavailable)) guard.onRedisFailure(failure);
    request.fail(503, "balance check unavailable: " + failure.getMessage());
  }

  /**
   * Builds the cache of one wallet from PostgreSQL: available = balance - unsettled, where unsettled is read
   * (with the reservation counter) before the balance, so a release between the two reads can only make the
   * cache low. First seeder wins; a reservation in between (seq moved) discards this seed.
   */
  private Future<Void> seed(UUID user, String epoch) {
    Future<Void> running = seeding.get(user);
    if (running != null) return running;
    Future<Void> seed = scripts.run(ReservationScripts.READ_WALLET, List.of(keys.epoch(), keys.wallet(user, epoch)), epoch)
      .compose(wallet -> {
        if (!"OK".equals(wallet.get(0).toString())) return Future.succeededFuture();  // epoch moved: the retry says so
        long unsettled = Long.parseLong(wallet.get(1).toString());
        String seq = wallet.get(2).toString();
        return pool.preparedQuery(WalletSql.balance()).execute(Tuple.of(user))
          .recover(e -> Future.failedFuture(new PostgresUnavailable(e))).compose(rows -> {
          long balance = rows.size() == 0 ? 0 : rows.iterator().next().getLong("balance");
          return scripts.run(ReservationScripts.SEED,
            List.of(keys.epoch(), keys.available(user, epoch), keys.wallet(user, epoch)),
            epoch, balance - unsettled, seq, cacheTtlS).<Void>mapEmpty();
        });
      });
    seeding.put(user, seed);
    seed.onComplete(done -> seeding.remove(user));
    return seed;
  }

  /** Async: durable in Kafka before the 200. */
  private void produce(Message<SmsMessage> request, SmsMessage m, String epoch) {
    var record = KafkaProducerRecord.create(Topics.ACCEPTED, m.userId().toString(), new AcceptedRecord(m, epoch).toBuffer());
    inFlightProduces++;
    Future<?> sent = producer.send(record);
    sent.onComplete(done -> inFlightProduces--);
    sent.timeout(produceTimeoutMs, TimeUnit.MILLISECONDS).onComplete(
      ok -> reply(request, ChargeOutcome.Kind.RESERVED),
      failure -> settleNow(request, m, epoch, failure));
  }

  /**
   * Kafka did not acknowledge in time, and the record may still be written. Settle this one message in
   * PostgreSQL now: its row is then the outbox, and a late Kafka copy is a harmless duplicate at settlement.
   * If PostgreSQL fails too, the outcome is unknown (the Kafka copy may still land and be settled): the answer says
   * so, and the reservation is kept: money that may still be settled is never released (the cache stays low until the
   * next epoch).
   */
  private void settleNow(Message<SmsMessage> request, SmsMessage m, String epoch, Throwable kafkaFailure) {
    LOG.debug("sms.accepted produce of {} failed ({}); settling it in PostgreSQL now", m.messageId(), kafkaFailure.toString());
    pool.preparedQuery(SettlementSql.settleMessages()).execute(SettleArguments.of(List.of(m))).onComplete(rows -> {
      String outcome = rows.iterator().next().getString("o_outcome");
      if (epoch != null) release(m, epoch, "rejected".equals(outcome));
      switch (outcome) {
        case "accepted" -> reply(request, ChargeOutcome.Kind.ACCEPTED);  // the HTTP side publishes it to its lane
        case "rejected" -> reply(request, ChargeOutcome.Kind.INSUFFICIENT_BALANCE);
        default -> duplicate(request, m, m.userId());
      }
    }, pgFailure -> {
      LOG.warn("message {}: Kafka did not confirm ({}) and PostgreSQL failed ({}); answered outcome_unknown", m.messageId(),
        kafkaFailure.getMessage(), pgFailure.getMessage());
      request.fail(ChargeFailure.OUTCOME_UNKNOWN.code, "the sms.accepted record may still be written");
    });
  }

  /** A sync lane beside an async one: reserved, so the async lane's cache stays right, then PostgreSQL decides. */
  private void reservedThenSync(Message<SmsMessage> request, SmsMessage m, String epoch) {
    vertx.eventBus().<ChargeOutcome>request(WalletAddresses.WALLET_CHARGE, m, charge).onComplete(reply -> {
      ChargeOutcome outcome = reply.body();
      // After the commit: released money is in PostgreSQL's balance, so a seed can never count it twice.
      release(m, epoch, outcome.kind() == ChargeOutcome.Kind.INSUFFICIENT_BALANCE);
      request.reply(outcome);
    }, failure -> {
      // Committed or not, releasing is safe: the cache keeps the cost taken (low at worst, until re-seeded).
      release(m, epoch, false);
      ChargeFailure.reply(request, failure);
    });
  }

  private void chargeInPostgres(Message<SmsMessage> request, SmsMessage m) {
    vertx.eventBus().<ChargeOutcome>request(WalletAddresses.WALLET_CHARGE, m, charge).onComplete(
      reply -> request.reply(reply.body()),
      failure -> ChargeFailure.reply(request, failure));
  }

  private void release(SmsMessage m, String epoch, boolean dropCache) {
    scripts.run(ReservationScripts.RELEASE,
        List.of(keys.marker(m.messageId()), keys.wallet(m.userId(), epoch), keys.available(m.userId(), epoch)),
        m.cost(), dropCache ? 1 : 0)
      .onFailure(guard::onRedisFailure);
  }

  /** The existing message's status from PostgreSQL (a read), or pending when it is not settled yet. */
  private void duplicate(Message<SmsMessage> request, SmsMessage m, UUID owner) {
    pool.preparedQuery(SettlementSql.messageOwnerAndStatus()).execute(Tuple.of(m.messageId())).onComplete(rows -> {
      Row row = rows.size() == 0 ? null : rows.iterator().next();
      request.reply(new ChargeOutcome(ChargeOutcome.Kind.DUPLICATE,
        row == null ? "pending" : row.getString("status"), row == null ? owner : row.getUUID("user_id")));
    }, failure -> request.reply(new ChargeOutcome(ChargeOutcome.Kind.DUPLICATE, "pending", owner)));
  }

  private void unreserved(Message<SmsMessage> request, SmsMessage m) {
    unreserved.take(m.userId(), m.cost()).onComplete(taken -> {
      if (taken) {
        produce(request, m, null);
      } else {
        reply(request, ChargeOutcome.Kind.INSUFFICIENT_BALANCE);
      }
    }, failure -> request.fail(503, "storage unavailable"));
  }

  private void invalidate(Message<JsonObject> event) {
    UUID user = UUID.fromString(event.body().getString("user_id"));
    if (unreserved != null) {
      unreserved.forget(user);
      return;
    }
    invalidator.drop(user, "a top-up");
  }

  private void health(Message<JsonObject> request) {
    request.reply(new JsonObject().put("redis", modes.reservation() ? guard.state().name().toLowerCase(java.util.Locale.ROOT) : "unused"));
  }

  private static void reply(Message<SmsMessage> request, ChargeOutcome.Kind kind) {
    request.reply(new ChargeOutcome(kind, null, null));
  }

  @Override
  public Future<?> stop() {
    if (guard != null) guard.close();
    return producer.flush().transform(v -> producer.close())
      .transform(v -> redis == null ? Future.succeededFuture() : redis.close());
  }

  private static Map<String, String> producerConfig(GatewayConfig config, long produceTimeoutMs) {
    Map<String, String> kafka = DurableProducerConfig.base(config);
    // A record is written within this time or never: the drain after a Redis loss waits for exactly that.
    kafka.put("request.timeout.ms", String.valueOf(produceTimeoutMs / 2));
    kafka.put("delivery.timeout.ms", String.valueOf(produceTimeoutMs));
    kafka.put("max.block.ms", String.valueOf(Math.min(1000, produceTimeoutMs / 3)));
    return kafka;
  }
}
