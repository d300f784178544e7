package io.smsgw.api.admin;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.account.AccountAddresses;
import io.smsgw.wallet.WalletAddresses;

import io.smsgw.api.Requests;
import io.smsgw.api.Uuids;
import io.smsgw.api.errors.ApiError;

import io.smsgw.domain.MessageText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/** The admin operations on users (create, top-up, API keys); the contract's AdminToken security runs before. */
public final class AdminUsersHandler {

  private final Vertx vertx;

  public AdminUsersHandler(Vertx vertx) {
    this.vertx = vertx;
  }

  public void create(RoutingContext rc) {
    JsonObject body = Requests.body(rc);
    String name = body.getString("name");
    int illegal = MessageText.firstIllegalInName(name);
    if (illegal >= 0) {  // PostgreSQL text cannot hold U+0000; no name needs a control character or a lone surrogate
      ApiError.INVALID_REQUEST.send(rc, "invalid name: " + MessageText.describe(name, illegal)
        + "; a name may hold no control character and no unpaired surrogate");
      return;
    }
    JsonObject request = new JsonObject().put("name", body.getString("name")).put("balance", body.getLong("balance", 0L));
    vertx.eventBus().<JsonObject>request(AccountAddresses.ACCOUNT_CREATE, request, Bus.to(vertx, AccountAddresses.ACCOUNT_CREATE, Requests.LOCAL))
      .onComplete(reply -> Requests.json(rc, 201, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }

  public void topUp(RoutingContext rc) {
    UUID userId = Requests.pathUuid(rc, "user_id");
    JsonObject body = Requests.body(rc);
    JsonObject request = new JsonObject().put("user_id", userId.toString()).put("amount", body.getLong("amount"))
      .put("topup_id", body.containsKey("topup_id") ? Uuids.parse(body.getString("topup_id")).toString() : null);
    vertx.eventBus().<JsonObject>request(WalletAddresses.WALLET_TOPUP, request, Bus.to(vertx, WalletAddresses.WALLET_TOPUP, Requests.LOCAL)).onComplete(reply -> {
      JsonObject first = reply.body().getJsonObject("duplicate");
      if (first != null) {
        ApiError.DUPLICATE_TOPUP_ID.send(rc, "topup_id was used before; nothing was credited", first);
      } else {
        Requests.json(rc, 200, reply.body());
      }
    }, failure -> ApiError.sendFailure(rc, failure));
  }

  /** {@code POST /admin/users/{user_id}/api-keys}: a new key, shown once (201); the user's other keys keep working. */
  public void createApiKey(RoutingContext rc) {
    UUID userId = Requests.pathUuid(rc, "user_id");
    vertx.eventBus().<JsonObject>request(AccountAddresses.ACCOUNT_KEY_CREATE, new JsonObject().put("user_id", userId.toString()), Bus.to(vertx, AccountAddresses.ACCOUNT_KEY_CREATE, Requests.LOCAL))
      .onComplete(reply -> Requests.json(rc, 201, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }

  /** {@code DELETE /admin/users/{user_id}/api-keys/{key_id}}: 204; every gateway stops accepting it within seconds. */
  public void revokeApiKey(RoutingContext rc) {
    JsonObject request = new JsonObject().put("user_id", Requests.pathUuid(rc, "user_id").toString())
      .put("key_id", Requests.pathUuid(rc, "key_id").toString());
    vertx.eventBus().<JsonObject>request(AccountAddresses.ACCOUNT_KEY_REVOKE, request, Bus.to(vertx, AccountAddresses.ACCOUNT_KEY_REVOKE, Requests.LOCAL))
      .onComplete(reply -> rc.response().setStatusCode(204).end(), failure -> ApiError.sendFailure(rc, failure));
  }
}
