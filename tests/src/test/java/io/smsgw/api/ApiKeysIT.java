package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.RawHttp;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("API keys: issued, rotated and revoked across gateway pods; unknown keys remembered briefly")
class ApiKeysIT {

  static TestGateway first;
  static TestGateway second;

  @BeforeAll
  static void twoPods() throws Exception {
    String pg = TestServices.postgres().url();
    first = TestGateway.start(pg, Map.of());
    second = TestGateway.start(pg, Map.of());
  }

  @AfterAll
  static void stop() {
    second.close();
    first.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  /** GET /balance with a fresh connection each time, so both HTTP verticles of the pod (and their caches) are used. */
  static int balanceStatus(TestGateway pod, JsonObject user, String key) {
    return RawHttp.send(pod.config.http().port(), "GET", "/balance/" + user.getString("user_id"), Map.of("X-API-Key", key), null).status();
  }

  static RawHttp.Answer admin(TestGateway pod, String method, String path) {
    return RawHttp.send(pod.config.http().port(), method, path, Map.of("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN), null);
  }

  @Test
  @DisplayName("A new key works at once on every pod; the old one until revoked; a revoked key is 401 on both pods within 5 s")
  void rotateAndRevoke() throws Exception {
    JsonObject user = first.createUser(1_000);
    String oldKey = user.getString("api_key");
    String oldKeyId = user.getString("key_id");
    assertThat(oldKeyId).as("POST /admin/users returns the key_id").isNotNull();
    for (TestGateway pod : List.of(first, second)) {
      for (int i = 0; i < 8; i++) assertThat(balanceStatus(pod, user, oldKey)).isEqualTo(200);  // cached on every verticle
    }

    RawHttp.Answer issued = admin(first, "POST", "/admin/users/" + user.getString("user_id") + "/api-keys");
    assertThat(issued.status()).as(issued.body()).isEqualTo(201);
    JsonObject newKey = new JsonObject(issued.body());
    assertThat(newKey.fieldNames()).contains("key_id", "api_key", "created_at");
    for (TestGateway pod : List.of(first, second)) {
      assertThat(balanceStatus(pod, user, newKey.getString("api_key"))).as("the new key at once").isEqualTo(200);
      assertThat(balanceStatus(pod, user, oldKey)).as("the old key until revoked").isEqualTo(200);
    }

    RawHttp.Answer revoked = admin(second, "DELETE", "/admin/users/" + user.getString("user_id") + "/api-keys/" + oldKeyId);
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
    long revokedAt = System.nanoTime();
    boolean refusedEverywhere = false;
    while (System.nanoTime() - revokedAt < 5_000_000_000L) {
      refusedEverywhere = true;
      for (TestGateway pod : List.of(first, second)) {
        for (int i = 0; i < 4; i++) refusedEverywhere &= balanceStatus(pod, user, oldKey) == 401;
      }
      if (refusedEverywhere) break;
      Thread.sleep(100);
    }
    assertThat(refusedEverywhere).as("the revoked key answers 401 on both pods, on each HTTP verticle, within 5 s").isTrue();
    long tookMs = (System.nanoTime() - revokedAt) / 1_000_000;
    System.out.println("revoked key refused on both pods after " + tookMs + " ms");
    // And it stays refused (no verticle re-caches it).
    Thread.sleep(500);
    for (TestGateway pod : List.of(first, second)) {
      for (int i = 0; i < 4; i++) assertThat(balanceStatus(pod, user, oldKey)).isEqualTo(401);
      assertThat(balanceStatus(pod, user, newKey.getString("api_key"))).as("the new key still works").isEqualTo(200);
    }
    assertThat(new JsonObject(RawHttp.send(first.config.http().port(), "GET", "/balance/" + user.getString("user_id"),
      Map.of("X-API-Key", oldKey), null).body()).getJsonObject("error").getString("code")).isEqualTo("unauthorized");
  }

  @Test
  @DisplayName("Issuing for an unknown user and revoking a key that is not that user's are 404; nothing changes")
  void notFound() {
    JsonObject owner = first.createUser(0);
    JsonObject other = first.createUser(0);
    long keys = Db.count(first.pgUrl(), "SELECT count(*) FROM api_keys");
    assertThat(admin(first, "POST", "/admin/users/" + UUID.randomUUID() + "/api-keys").status()).isEqualTo(404);
    RawHttp.Answer wrongOwner = admin(first, "DELETE", "/admin/users/" + other.getString("user_id") + "/api-keys/" + owner.getString("key_id"));
    assertThat(wrongOwner.status()).isEqualTo(404);
    assertThat(wrongOwner.isJsonError()).isTrue();
    assertThat(admin(first, "DELETE", "/admin/users/" + owner.getString("user_id") + "/api-keys/" + UUID.randomUUID()).status()).isEqualTo(404);
    assertThat(admin(first, "DELETE", "/admin/users/" + owner.getString("user_id") + "/api-keys/not-a-uuid").status()).isEqualTo(400);
    assertThat(Db.count(first.pgUrl(), "SELECT count(*) FROM api_keys")).isEqualTo(keys);
    assertThat(Db.count(first.pgUrl(), "SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL AND key_id = '"
      + owner.getString("key_id") + "'")).isZero();
    assertThat(balanceStatus(first, owner, owner.getString("api_key"))).isEqualTo(200);
  }

  @Test
  @DisplayName("The same unknown key 100 times costs at most one lookup per HTTP verticle, not one per request")
  void unknownKeysAreRemembered() {
    JsonObject someone = first.createUser(0);
    String unknown = "sk_unknown_" + UUID.randomUUID();
    double before = first.metric("smsgw_api_key_lookups_total");
    for (int i = 0; i < 100; i++) assertThat(balanceStatus(first, someone, unknown)).isEqualTo(401);
    double lookups = first.metric("smsgw_api_key_lookups_total") - before;
    assertThat(lookups).as("PostgreSQL lookups for 100 requests with one unknown key (2 HTTP verticles)")
      .isPositive().isLessThanOrEqualTo(first.config.instances().http());
  }
}
