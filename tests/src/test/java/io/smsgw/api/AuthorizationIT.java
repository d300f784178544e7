package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.RawHttp;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Authorization comes from the operation the router matched, whatever the spelling of the path")
class AuthorizationIT extends GatewayTest {

  static JsonObject victim;
  static JsonObject attacker;
  static String victimMessageId;

  record Operation(String name, String method, String path, boolean admin, String body) {
  }

  @BeforeAll
  static void users() {
    victim = gateway.createUser(10_000);
    attacker = gateway.createUser(10_000);
    JsonObject sms = TestGateway.sms(victim, "+989121234567", "hello");
    assertThat(gateway.sendSms(victim, sms).status()).isEqualTo(200);
    victimMessageId = sms.getString("message_id");
  }

  static List<Operation> operations() {
    String v = victim.getString("user_id");
    String sms = new JsonObject().put("message_id", UUID.randomUUID().toString()).put("user_id", v)
      .put("phone_number", "+989121234567").put("message", "free money").encode();
    String bulk = new JsonObject().put("bulk_id", UUID.randomUUID().toString()).put("user_id", v).put("message", "free money")
      .put("recipients", new io.vertx.core.json.JsonArray().add(new JsonObject().put("message_id", UUID.randomUUID().toString())
        .put("phone_number", "+989121234567"))).encode();
    String keyId = victim.getString("key_id", UUID.randomUUID().toString());
    return List.of(
      new Operation("createUser", "POST", "/admin/users", true, "{\"name\":\"mallory\",\"balance\":1000000000}"),
      new Operation("topUp", "POST", "/admin/users/" + v + "/topup", true, "{\"amount\":1000000000}"),
      new Operation("createApiKey", "POST", "/admin/users/" + v + "/api-keys", true, null),
      new Operation("revokeApiKey", "DELETE", "/admin/users/" + v + "/api-keys/" + keyId, true, null),
      new Operation("metrics", "GET", "/metrics", true, null),
      new Operation("sendSms", "POST", "/send-sms", false, sms),
      new Operation("sendSmsBulk", "POST", "/send-sms/bulk", false, bulk),
      new Operation("getBulk", "GET", "/bulk/" + UUID.randomUUID(), false, null),
      new Operation("getBalance", "GET", "/balance/" + v, false, null),
      new Operation("getMessageStatus", "GET", "/message-status/" + victimMessageId, false, null));
  }

  /** Spellings that a router may treat as the same path: percent-encoding, %2F, repeated slashes, dot segments, case. */
  static Set<String> spellings(String path) {
    String[] segments = path.substring(1).split("/");
    String first = segments[0];
    String rest = path.substring(1 + first.length());
    String hex = String.format(Locale.ROOT, "%%%02X", (int) first.charAt(0));
    Set<String> s = new LinkedHashSet<>();
    s.add(path);
    s.add("/" + hex + first.substring(1) + rest);
    s.add("/" + hex.toLowerCase(Locale.ROOT) + first.substring(1) + rest);
    s.add("/" + first.substring(0, first.length() - 1) + String.format(Locale.ROOT, "%%%02x", (int) first.charAt(first.length() - 1)) + rest);
    if (!rest.isEmpty()) s.add("/" + first + "%2F" + rest.substring(1));
    if (!rest.isEmpty()) s.add("/" + first + "%2f" + rest.substring(1));
    s.add("/" + path);
    s.add("///" + path.substring(1));
    if (!rest.isEmpty()) s.add("/" + first + "/" + rest);
    s.add("/." + path);
    s.add("/x/.." + path);
    s.add("/x/y/../.." + path);
    s.add("/%2e" + path);
    s.add("/x/%2e%2e" + path);
    s.add("/x/%2E%2E" + path);
    if (!rest.isEmpty()) s.add("/" + first + "/." + rest);
    if (!rest.isEmpty()) s.add("/" + first + "/x/.." + rest);
    s.add(path + "/");
    s.add(path + "//");
    s.add(path + "/.");
    s.add(path.toUpperCase(Locale.ROOT));
    s.add("/" + Character.toUpperCase(first.charAt(0)) + first.substring(1) + rest);
    s.add(path + "?x=1");
    s.add(path + "#frag");
    s.add(path + ";x=1");
    return s;
  }

  static List<Map<String, String>> wrongCredentials(Operation op) {
    String admin = TestGateway.ADMIN_TOKEN;
    String attackerKey = attacker.getString("api_key");
    List<Map<String, String>> c = new ArrayList<>();
    c.add(Map.of());
    if (op.admin()) {
      c.add(Map.of("Authorization", "Bearer wrong-" + UUID.randomUUID()));
      c.add(Map.of("Authorization", "Bearer " + attackerKey));
      c.add(Map.of("Authorization", "Bearer " + victim.getString("api_key")));
      c.add(Map.of("Authorization", "Bearer " + admin + "x"));
      c.add(Map.of("Authorization", "Bearer " + admin.substring(0, admin.length() - 1)));
      c.add(Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + admin).getBytes(StandardCharsets.UTF_8))));
      c.add(Map.of("Authorization", admin));
      c.add(Map.of("X-API-Key", admin));
      c.add(Map.of("X-API-Key", attackerKey));
    } else {
      c.add(Map.of("X-API-Key", "sk_" + UUID.randomUUID()));
      c.add(Map.of("X-API-Key", admin));
      c.add(Map.of("Authorization", "Bearer " + admin));
      c.add(Map.of("Authorization", "Bearer " + victim.getString("api_key")));
      c.add(Map.of("X-API-Key", attackerKey));  // another user's key
    }
    return c;
  }

  record Counts(long users, long ledger, long messages, long balances) {
    static Counts now() {
      String pg = gateway.pgUrl();
      return new Counts(Db.count(pg, "SELECT count(*) FROM users"), Db.count(pg, "SELECT count(*) FROM ledger"),
        Db.count(pg, "SELECT count(*) FROM messages"), Db.count(pg, "SELECT coalesce(sum(balance), 0) FROM wallets"));
    }
  }

  @Test
  @DisplayName("Every admin and user operation, every spelling of its path, no or wrong credentials: a JSON 401/404 (403/404/400 for another user's key), nothing created or credited")
  void noWayInWithoutTheRightCredentials() {
    int port = gateway.config.http().port();
    Counts before = Counts.now();
    long activeKeys = activeKeys();
    List<String> breaches = new ArrayList<>();
    int tried = 0;
    for (Operation op : operations()) {
      for (String target : spellings(op.path())) {
        for (Map<String, String> credentials : wrongCredentials(op)) {
          RawHttp.Answer a = RawHttp.send(port, op.method(), target, credentials, op.body());
          tried++;
          // Another user's valid key passes authentication on a user operation: then the request is refused by the
          // ownership check (403/404), or by validation when the spelling breaks the path parameter (400, e.g. ";x=1").
          boolean othersKey = !op.admin() && attacker.getString("api_key").equals(credentials.get("X-API-Key"));
          Set<Integer> allowed = othersKey ? Set.of(400, 403, 404) : Set.of(401, 404);
          if (!allowed.contains(a.status()) || !a.isJsonError()) {
            breaches.add(op.name() + " " + op.method() + " " + target + " " + credentials.keySet() + " -> " + a.status() + " " + a.body());
          }
        }
      }
    }
    assertThat(breaches).as("answers other than the allowed JSON errors, of %d requests", tried).isEmpty();
    assertThat(Counts.now()).as("users, ledger rows, messages, total balance").isEqualTo(before);
    assertThat(activeKeys()).as("API keys not revoked and none issued").isEqualTo(activeKeys);
    assertThat(gateway.balance(victim)).as("the victim's key still works, its balance untouched").isEqualTo(10_000 - 100);
  }

  @Test
  @DisplayName("The right credentials on an equivalent spelling reach the same operation, with the same security")
  void theRightCredentialsWork() {
    Counts before = Counts.now();
    RawHttp.Answer created = RawHttp.send(gateway.config.http().port(), "POST", "/admin/users",
      Map.of("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN), "{\"name\":\"ok\",\"balance\":5}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(Counts.now().users()).isEqualTo(before.users() + 1);
    RawHttp.Answer balance = RawHttp.send(gateway.config.http().port(), "GET", "//balance/./" + victim.getString("user_id"),
      Map.of("X-API-Key", victim.getString("api_key")), null);
    assertThat(balance.status()).isEqualTo(200);
  }

  static long activeKeys() {
    try {
      return Db.count(gateway.pgUrl(), "SELECT count(*) FROM api_keys WHERE revoked_at IS NULL");
    } catch (IllegalStateException noTable) {  // no api_keys table
      return -1;
    }
  }
}
