package io.smsgw.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code routing.*}: the providers the workers send through and which messages go where (issue 15).
 *
 * <p>{@code providers}: a list of {@code {"id": "smsc-1", "kind": "http" | "smpp", "settings": {...}}}. An entry's
 * settings are the keys of the {@code provider} section (kind http) or of the {@code smpp} section (kind smpp); a key
 * it leaves out takes that section's value. Empty: one provider, the {@code provider} section as it is (id
 * {@value #DEFAULT_HTTP_ID}, or {@code smpp.provider_id} when {@code provider.kind} is smpp).
 *
 * <p>{@code routes}: a list of {@code {"prefix": "+98", "lane": "any" | "normal" | "vip", "providers": [...]}}, the
 * providers as ids in failover order, or as {@code {"id": ..., "weight": N}} to spread the first choice by weight (the
 * others follow in their order). A message takes the route with the longest prefix of its number (a lane's own route
 * before an "any" one of the same prefix). Empty: every message to the providers in their listed order. Otherwise one
 * route must be the catch-all ({@code "prefix": ""}, lane any), so every message has a route.
 *
 * <p>{@code breaker_*}: each provider's circuit breaker (per pod): it opens when at least {@code breaker_failure_rate}
 * percent of the last {@code breaker_window} provider requests (once {@code breaker_min_calls} were made) failed or
 * timed out (a request, however many messages it carries, is one call), stays open {@code breaker_open_ms}, then lets
 * {@code breaker_half_open_calls} requests through to decide.
 *
 * <p>{@code listed}: the providers are conf's list (false: the one provider of the {@code provider} section).
 */
public record RoutingSettings(List<ProviderSpec> providers, List<Route> routes, int breakerFailureRate, int breakerWindow,
                              int breakerMinCalls, long breakerOpenMs, int breakerHalfOpenCalls, boolean listed) {

  public static final String DEFAULT_HTTP_ID = "http";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** One provider: its id, and the settings of its kind (the other is null). */
  public record ProviderSpec(String id, ProviderSettings http, SmppSettings smpp) {
    public boolean isSmpp() {
      return smpp != null;
    }

    public String kind() {
      return isSmpp() ? "smpp" : "http";
    }
  }

  /** A provider on a route; {@code weight} 0: not a first choice unless no provider on the route has a weight. */
  public record Choice(String providerId, int weight) {
  }

  /** {@code lane}: {@code any}, {@code normal} or {@code vip}. */
  public record Route(String prefix, String lane, List<Choice> choices) {
  }

  /** Reads the section once {@code provider} and {@code smpp} are read (their values are the entries' defaults). */
  static RoutingSettings from(ConfigReader.Section s, ConfigReader reader, ProviderSettings provider, SmppSettings smpp) {
    JsonArray providerList = s.list("providers");
    JsonArray routeList = s.list("routes");
    int failureRate = s.integer("breaker_failure_rate", 1, 100);
    int window = s.integer("breaker_window", 1, 10_000);
    int minCalls = s.integer("breaker_min_calls", 1, 10_000);
    long openMs = s.number("breaker_open_ms", 100, 3_600_000);
    int halfOpenCalls = s.integer("breaker_half_open_calls", 1, 1_000);
    List<ProviderSpec> providers = providerList.isEmpty()
      ? List.of(provider.smpp() ? new ProviderSpec(smpp.providerId(), null, smpp) : new ProviderSpec(DEFAULT_HTTP_ID, provider, null))
      : providers(s, reader, providerList);
    Set<String> ids = new HashSet<>();
    providers.forEach(p -> ids.add(p.id()));
    List<Route> routes = routes(s, routeList, ids);
    return new RoutingSettings(providers, routes, failureRate, window, minCalls, openMs, halfOpenCalls, !providerList.isEmpty());
  }

  private static List<ProviderSpec> providers(ConfigReader.Section s, ConfigReader reader, JsonArray list) {
    List<ProviderSpec> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "providers[" + i + "]";
      JsonObject entry = entry(s, "providers", where, list.getValue(i), List.of("id", "kind", "settings"));
      if (entry == null) continue;
      Object id = entry.getValue("id");
      if (!(id instanceof String text) || !ID.matcher(text).matches()) {
        s.problem("providers", where + ".id must be 1 to 64 letters, digits, '.', '_' or '-', not " + Json.encode(id));
        continue;
      }
      if (!seen.add(text)) s.problem("providers", where + ".id " + Json.encode(text) + " is used twice");
      Object kind = entry.getValue("kind");
      if (!"http".equals(kind) && !"smpp".equals(kind)) {
        s.problem("providers", where + " (" + text + ").kind must be \"http\" or \"smpp\", not " + Json.encode(kind));
        continue;
      }
      Object settings = entry.getValue("settings", new JsonObject());
      if (!(settings instanceof JsonObject own)) {
        s.problem("providers", where + " (" + text + ").settings must be an object, not " + Json.encode(settings));
        continue;
      }
      // The entry's settings over its kind's section, read by that section's own rules.
      String section = "http".equals(kind) ? "provider" : "smpp";
      JsonObject merged = reader.root().getJsonObject(section).copy().mergeIn(own);
      if ("http".equals(kind)) merged.put("kind", "http");
      else merged.put("provider_id", text);
      ConfigReader sub = new ConfigReader(new JsonObject().put(section, merged), Map.of(),
        "routing.providers[" + i + "] (" + text + ")");
      ProviderSettings http = "http".equals(kind) ? ProviderSettings.from(sub.section(section)) : null;
      SmppSettings smpp = "smpp".equals(kind) ? SmppSettings.from(sub.section(section)) : null;
      try {
        sub.finish(Set.of());
      } catch (ConfigException e) {
        e.problems().forEach(p -> s.problem("providers", where + " (" + text + "): " + p));
        continue;
      }
      out.add(new ProviderSpec(text, http, smpp));
    }
    return out;
  }

  private static List<Route> routes(ConfigReader.Section s, JsonArray list, Set<String> ids) {
    List<Route> out = new ArrayList<>();
    boolean catchAll = false;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "routes[" + i + "]";
      JsonObject entry = entry(s, "routes", where, list.getValue(i), List.of("prefix", "lane", "providers"));
      if (entry == null) continue;
      Object prefix = entry.getValue("prefix");
      if (!(prefix instanceof String p) || !p.matches("\\+?[0-9]{0,15}")) {
        s.problem("routes", where + ".prefix must be a string of digits (a leading + allowed; \"\" matches every number), not "
          + Json.encode(prefix));
        continue;
      }
      String digits = p.startsWith("+") ? p.substring(1) : p;
      Object lane = entry.getValue("lane", "any");
      if (!"any".equals(lane) && !"normal".equals(lane) && !"vip".equals(lane)) {
        s.problem("routes", where + ".lane must be \"any\", \"normal\" or \"vip\", not " + Json.encode(lane));
        continue;
      }
      if (!seen.add(digits + "/" + lane)) s.problem("routes", where + ": a second route for prefix " + Json.encode(p) + " and lane " + lane);
      List<Choice> choices = choices(s, where, entry.getValue("providers"), ids);
      if (choices == null) continue;
      if (digits.isEmpty() && "any".equals(lane)) catchAll = true;
      out.add(new Route(digits, (String) lane, List.copyOf(choices)));
    }
    if (!list.isEmpty() && !catchAll) {
      s.problem("routes", "no catch-all route: add {\"prefix\": \"\", \"providers\": [...]} so that every number has a route");
    }
    return out;
  }

  /** One element of a list: an object with only {@code keys} (an unknown key is a problem), or null if not an object. */
  private static JsonObject entry(ConfigReader.Section s, String list, String where, Object value, List<String> keys) {
    if (!(value instanceof JsonObject entry)) {
      s.problem(list, where + " must be an object {\"" + String.join("\", \"", keys) + "\"}, not " + Json.encode(value));
      return null;
    }
    for (String key : entry.fieldNames()) {
      if (!keys.contains(key)) s.problem(list, where + ": unknown key " + Json.encode(key));
    }
    return entry;
  }

  private static List<Choice> choices(ConfigReader.Section s, String where, Object value, Set<String> ids) {
    if (!(value instanceof JsonArray list) || list.isEmpty()) {
      s.problem("routes", where + ".providers must be a non-empty list of provider ids, not " + Json.encode(value));
      return null;
    }
    List<Choice> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object item : list) {
      String id;
      int weight = 0;
      if (item instanceof String text) {
        id = text;
      } else if (item instanceof JsonObject o && o.getValue("id") instanceof String text
        && o.getValue("weight") instanceof Number n && n.intValue() == n.doubleValue() && n.intValue() >= 0
        && o.fieldNames().size() == 2) {
        id = text;
        weight = n.intValue();
      } else {
        s.problem("routes", where + ".providers: " + Json.encode(item) + " must be a provider id or {\"id\": ..., \"weight\": N >= 0}");
        return null;
      }
      if (!ids.contains(id)) {
        s.problem("routes", where + ".providers: " + Json.encode(id) + " is not in routing.providers " + ids);
        return null;
      }
      if (!seen.add(id)) {
        s.problem("routes", where + ".providers: " + Json.encode(id) + " is listed twice");
        return null;
      }
      out.add(new Choice(id, weight));
    }
    return out;
  }

  /** The provider with this id, or null. */
  public ProviderSpec provider(String id) {
    for (ProviderSpec p : providers) if (p.id().equals(id)) return p;
    return null;
  }
}
