package io.smsgw.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand check of a delivery-report batch must never take what the contract's schema refuses, and must take the
 * batches providers send (else the speed-up is gone).
 */
class DeliveryReportsBodyCheckTest {

  private static ContractRequestSchema contract;
  private static Validator schema;

  @BeforeAll
  static void contract() {
    contract = new ContractRequestSchema("receiveDeliveryReports");
    schema = contract.validator;
  }

  @AfterAll
  static void close() {
    contract.close();
  }

  @Test
  void everydayBatchesTakeTheFastPath() {
    JsonArray many = new JsonArray();
    for (int i = 0; i < 250; i++) many.add(report());
    for (JsonObject body : List.of(batch(report()), batch(report().put("status", "undelivered").put("error_code", "027")),
      batch(report().put("done_at", "2026-12-03T19:25:24Z")), batch(report().put("done_at", "2028-02-29T23:59:59.123456789Z")),
      batch(minimal()), batch(report().putNull("provider_message_id").putNull("done_at")), new JsonObject().put("reports", many))) {
      assertThat(DeliveryReportsBodyCheck.plainlyValid(body)).as(body.encode()).isTrue();
      assertThat(schema.validate(body).getValid()).as(body.encode()).isTrue();
    }
  }

  @Test
  void theFastPathIsNeverLooserThanTheContract() {
    List<JsonObject> bodies = new ArrayList<>();
    for (Object ref : new Object[] {"not-a-uuid", "123e4567-e89b-12d3-a456-42661417400", UUID.randomUUID() + "\n", 5, null, ""}) {
      bodies.add(batch(report().put("client_ref", ref)));
    }
    for (Object n : new Object[] {0, -1, 255, 256, 1.5, 1.0, "1", null, Long.MAX_VALUE}) {
      bodies.add(batch(report().put("part", n)));
      bodies.add(batch(report().put("parts", n)));
    }
    for (Object status : new Object[] {"DELIVERED", "sent", "", 1, null}) bodies.add(batch(report().put("status", status)));
    for (Object id : new Object[] {"x".repeat(128), "x".repeat(129), "😀".repeat(64), "😀".repeat(65), 7, true}) {
      bodies.add(batch(report().put("provider_message_id", id)));
    }
    for (Object code : new Object[] {"x".repeat(64), "x".repeat(65), "😀".repeat(33), 27}) bodies.add(batch(report().put("error_code", code)));
    for (Object done : new Object[] {"2026-12-03T19:25:24Z", "2026-12-03T19:25:24.5Z", "2026-12-03T19:25:24.Z", "2026-12-03t19:25:24z",
      "2026-12-03T19:25:24+03:30", "2026-12-03 19:25:24Z", "2026-13-03T19:25:24Z", "2026-02-29T19:25:24Z", "2026-04-31T10:00:00Z",
      "2026-12-03T24:00:00Z", "2026-12-03T23:60:00Z", "2026-12-03T23:59:60Z", "2026-12-03T19:25Z", "0000-01-01T00:00:00Z",
      "2026-12-03T19:25:24.1234567890Z", "٢٠٢٦-12-03T19:25:24Z", 1764790000, ""}) {
      bodies.add(batch(report().put("done_at", done)));
    }
    bodies.add(batch(report().put("extra", 1)));
    for (String field : List.of("client_ref", "part", "parts", "status")) {
      JsonObject missing = report();
      missing.remove(field);
      bodies.add(batch(missing));
    }
    bodies.add(new JsonObject().put("reports", new JsonArray()));
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 251; i++) tooMany.add(report());
    bodies.add(new JsonObject().put("reports", tooMany));
    bodies.add(new JsonObject().put("reports", new JsonArray().add(report()).add("not an object")));
    bodies.add(batch(report()).put("extra", true));
    bodies.add(new JsonObject().put("reports", report()));
    for (JsonObject body : bodies) {
      if (DeliveryReportsBodyCheck.plainlyValid(body)) {
        assertThat(schema.validate(body).getValid()).as("fast path took what the contract refuses: " + body.encode()).isTrue();
      }
    }
  }

  private static JsonObject batch(JsonObject report) {
    return new JsonObject().put("reports", new JsonArray().add(report));
  }

  private static JsonObject minimal() {
    return new JsonObject().put("client_ref", UUID.randomUUID().toString()).put("part", 1).put("parts", 1).put("status", "delivered");
  }

  private static JsonObject report() {
    return minimal().put("provider_message_id", "sim-" + UUID.randomUUID()).putNull("error_code").put("done_at", "2026-12-03T19:25:24.590Z");
  }
}
