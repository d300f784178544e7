package io.smsgw.sending;

import io.smsgw.sms.Priority;
import io.smsgw.sms.SmsMessage;
import io.smsgw.storage.MessageRows;
import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Sends what is due again: retries whose backoff is over, and messages whose claim ran out because the
 * worker that held it died. Retries live in PostgreSQL, not in a partition, so a slow retry never holds up
 * the messages behind it in Kafka, and a crash loses none of them.
 */
final class RetryScanner {

  private static final Logger LOG = LoggerFactory.getLogger(RetryScanner.class);
  private static final int BATCH = 200;

  private final Vertx vertx;
  private final Pool pool;
  private final MessageSender sender;
  private final Priority lane;
  private final long claimMs;
  private final long timerId;
  private boolean running;
  private boolean closed;

  RetryScanner(Vertx vertx, Pool pool, MessageSender sender, Priority lane, long claimMs, long intervalMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.sender = sender;
    this.lane = lane;
    this.claimMs = claimMs;
    this.timerId = vertx.setPeriodic(intervalMs, id -> scan());
  }

  private void scan() {
    if (running || closed) return;
    running = true;
    pool.preparedQuery(SqlQueries.claimDueRetries()).execute(Tuple.of(claimMs, lane.wireName(), BATCH))
      .compose(rows -> {
        List<MessageSender.Claim> claims = new ArrayList<>(rows.size());
        for (Row row : rows) claims.add(new MessageSender.Claim(MessageRows.toMessage(row), row.getInteger("attempts")));
        return sender.send(claims).map(rows.size());
      })
      .onComplete(done -> {
        running = false;
        if (done.failed()) {
          LOG.warn("retry scan failed: {}", done.cause().getMessage());
        } else if (done.result() == BATCH) {
          vertx.runOnContext(v -> scan());
        }
      });
  }


  void close() {
    closed = true;
    vertx.cancelTimer(timerId);
  }
}
