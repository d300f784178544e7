package io.smsgw.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.Replies;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Stores one batch of the provider's delivery reports in one transaction ({@code store_delivery_reports}): each part's
 * first report, then the messages they complete made {@code delivered} or {@code undelivered}. The reply comes after the
 * commit, so the provider's 200 means stored; a failure is a 503 and the provider sends the batch again (a repeat is a
 * no-op). A report may be for a message whose {@code sent} outcome is not written yet: it waits in the table and the
 * outcome applies it.
 */
public class DeliveryReportVerticle extends VerticleBase {

  private Pool pool;
  private Counter stored;
  private Counter duplicates;
  private Counter unmatched;
  private Counter finalized;

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, new GatewayConfig(config()));
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      stored = Counter.builder("smsgw_delivery_reports_total").tag("outcome", "stored").description("delivery reports received").register(registry);
      duplicates = Counter.builder("smsgw_delivery_reports_total").tag("outcome", "duplicate").register(registry);
      unmatched = Counter.builder("smsgw_delivery_reports_total").tag("outcome", "unmatched").register(registry);
      finalized = Counter.builder("smsgw_delivery_finalized_total").description("messages made delivered or undelivered by reports").register(registry);
    }
    return Bus.<JsonObject>serve(vertx, DeliveryAddresses.STORE_REPORTS, this::store).completion();
  }

  private void store(Message<JsonObject> request) {
    JsonArray reports = request.body().getJsonArray("reports");
    int n = reports.size();
    UUID[] ids = new UUID[n];
    Integer[] parts = new Integer[n];
    Integer[] counts = new Integer[n];
    String[] providerIds = new String[n];
    String[] statuses = new String[n];
    String[] errors = new String[n];
    OffsetDateTime[] doneAt = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      JsonObject r = reports.getJsonObject(i);
      ids[i] = UUID.fromString(r.getString("client_ref"));
      parts[i] = r.getInteger("part");
      counts[i] = r.getInteger("parts");
      providerIds[i] = r.getString("provider_message_id");
      statuses[i] = r.getString("status");
      errors[i] = r.getString("error_code");
      String done = r.getString("done_at");
      doneAt[i] = done == null ? null : OffsetDateTime.parse(done);
    }
    pool.preparedQuery(DeliverySql.storeReports()).execute(Tuple.of(ids, parts, counts, providerIds, statuses, errors, doneAt))
      .onComplete(rows -> {
        Row row = rows.iterator().next();
        JsonObject result = new JsonObject().put("stored", row.getInteger("stored")).put("duplicates", row.getInteger("duplicates"))
          .put("unmatched", row.getInteger("unmatched")).put("finalized", row.getInteger("finalized"));
        count(stored, result.getInteger("stored"));
        count(duplicates, result.getInteger("duplicates"));
        count(unmatched, result.getInteger("unmatched"));
        count(finalized, result.getInteger("finalized"));
        request.reply(result);
      }, failure -> Replies.unavailable(request, failure));
  }

  private static void count(Counter counter, int n) {
    if (counter != null && n > 0) counter.increment(n);
  }
}
