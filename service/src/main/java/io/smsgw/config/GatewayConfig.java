package io.smsgw.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The pod's configuration: {@code conf/smsgw.json} with {@code SMSGW_*} environment overrides.
 * Every leaf key {@code a.b_c} is overridden by {@code SMSGW_A_B_C}, so a pod's shape (instance counts,
 * pool sizes, service addresses) is configuration, not code.
 */
public final class GatewayConfig {

  public static final String DEFAULT_PATH = "conf/smsgw.json";
  private static final String ENV_PREFIX = "SMSGW_";

  private final JsonObject json;

  public GatewayConfig(JsonObject json) {
    this.json = json;
  }

  /** Reads the file (or the copy packaged in the jar) and applies the environment on top. */
  public static GatewayConfig load(String path, Map<String, String> env) {
    JsonObject json;
    try {
      Path file = Path.of(path);
      if (Files.exists(file)) {
        json = new JsonObject(Files.readString(file));
      } else {
        try (var in = GatewayConfig.class.getClassLoader().getResourceAsStream(DEFAULT_PATH)) {
          if (in == null) throw new IllegalStateException("no configuration at " + path);
          json = new JsonObject(new String(in.readAllBytes()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read configuration " + path, e);
    }
    json.remove("_comment");
    applyEnv(json, "", env);
    // The one override not of the SECTION_KEY form (the customer's name for it); it wins over SMSGW_BALANCE_RESERVATION.
    String reservation = env.get("SMSGW_RESERVATION");
    if (reservation != null && json.getJsonObject("balance") != null) json.getJsonObject("balance").put("reservation", reservation.trim());
    return new GatewayConfig(json);
  }

  private static void applyEnv(JsonObject node, String prefix, Map<String, String> env) {
    for (String key : node.fieldNames()) {
      Object value = node.getValue(key);
      String path = prefix.isEmpty() ? key : prefix + "_" + key;
      if (value instanceof JsonObject child) {
        applyEnv(child, path, env);
        continue;
      }
      String override = env.get(ENV_PREFIX + path.toUpperCase(java.util.Locale.ROOT));
      if (override == null) continue;
      if (value instanceof Double || value instanceof Float) {
        node.put(key, Double.parseDouble(override.trim()));
      } else if (value instanceof Number) {
        node.put(key, Long.parseLong(override.trim()));
      } else if (value instanceof Boolean) {
        node.put(key, Boolean.parseBoolean(override.trim()));
      } else {
        node.put(key, override);
      }
    }
  }

  public JsonObject json() {
    return json;
  }

  public GatewayConfig with(String section, String key, Object value) {
    JsonObject copy = json.copy();
    copy.getJsonObject(section).put(key, value);
    return new GatewayConfig(copy);
  }

  public String string(String section, String key) {
    return json.getJsonObject(section).getString(key, "");
  }

  public int integer(String section, String key) {
    return json.getJsonObject(section).getInteger(key);
  }

  public long number(String section, String key) {
    return json.getJsonObject(section).getLong(key);
  }

  public double decimal(String section, String key) {
    return json.getJsonObject(section).getDouble(key);
  }

  public int httpPort() { return integer("http", "port"); }
  public int bodyLimitBytes() { return integer("http", "body_limit_bytes"); }
  public String adminToken() { return string("admin", "token"); }
  public String pgUrl() { return string("pg", "url"); }
  public String kafkaBootstrap() { return string("kafka", "bootstrap"); }
  public int instances(String verticle) { return integer("instances", verticle); }
}
