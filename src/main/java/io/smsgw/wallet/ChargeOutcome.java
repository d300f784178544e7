package io.smsgw.wallet;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** What the accept transaction decided for one message. {@code existingStatus} only for a duplicate. */
public record ChargeOutcome(Kind kind, String existingStatus, UUID existingOwner) {

  public enum Kind { ACCEPTED, DUPLICATE, INSUFFICIENT_BALANCE }

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
