package io.smsgw.wallet;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * What the accept transaction decided for one message. {@code existingStatus} only for a duplicate.
 * {@code RESERVED}: accepted in async mode; the message is durable on sms.accepted and settlement will charge and
 * publish it (the HTTP side must not publish it itself).
 */
public record ChargeOutcome(Kind kind, String existingStatus, UUID existingOwner) {

  public enum Kind { ACCEPTED, RESERVED, DUPLICATE, INSUFFICIENT_BALANCE }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("outcome", kind.name());
    if (existingStatus != null) json.put("status", existingStatus);
    if (existingOwner != null) json.put("owner", existingOwner.toString());
    return json;
  }

  public static ChargeOutcome fromJson(JsonObject json) {
    String owner = json.getString("owner");
    return new ChargeOutcome(Kind.valueOf(json.getString("outcome")), json.getString("status"),
      owner == null ? null : UUID.fromString(owner));
  }
}
