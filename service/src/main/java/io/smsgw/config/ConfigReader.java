package io.smsgw.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Reads the configuration section by section, the environment first ({@code SMSGW_} + the key path in upper case, joined
 * by {@code _}), then the file; writes each value back in its type (so {@link GatewayConfig#json()} is what was decided)
 * and collects every problem instead of stopping at the first. The schema is what the {@code *Settings} records read:
 * a key in the file or an {@code SMSGW_} variable that no record reads is a problem too ({@link #finish}).
 */
final class ConfigReader {

  static final String ENV_PREFIX = "SMSGW_";
  private static final String COMMENT = "_comment";

  private final JsonObject root;
  private final Map<String, String> env = new TreeMap<>();
  private final String origin;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> consumedEnv = new LinkedHashSet<>();
  private final Map<String, Section> sections = new LinkedHashMap<>();

  /** {@code root} is modified (values written back in their types): pass a copy. Only {@code SMSGW_*} variables are looked at. */
  ConfigReader(JsonObject root, Map<String, String> env, String origin) {
    this.root = root;
    this.origin = origin;
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX)) this.env.put(name, value);
    });
  }

  static String envName(String section, String key) {
    return ENV_PREFIX + (section + "_" + key).toUpperCase(Locale.ROOT);
  }

  Section section(String name) {
    return sections.computeIfAbsent(name, Section::new);
  }

  /** A problem that is not about one value (a rule between keys, say); {@code text} names the keys itself. */
  void problem(String text) {
    problems.add(text);
  }

  boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** The sections and keys read, in reading order: the schema. */
  Map<String, Set<String>> schema() {
    Map<String, Set<String>> schema = new LinkedHashMap<>();
    sections.forEach((name, section) -> schema.put(name, Set.copyOf(section.keys)));
    return schema;
  }

  JsonObject root() {
    return root;
  }

  /**
   * Reports what nothing read: sections and keys in the file, and {@code SMSGW_*} variables other than {@code notKeys};
   * then throws every problem found at once.
   */
  void finish(Set<String> notKeys) {
    for (String name : root.fieldNames()) {
      if (!sections.containsKey(name) && !name.equals(COMMENT)) {
        problems.add(name + " (" + ENV_PREFIX + name.toUpperCase(Locale.ROOT) + "_*): unknown section in " + origin
          + suggestion(name, sections.keySet()));
      }
    }
    for (Section section : sections.values()) section.reportUnknownKeys();
    Set<String> knownEnv = new LinkedHashSet<>();
    sections.values().forEach(s -> s.keys.forEach(k -> knownEnv.add(envName(s.name, k))));
    for (String name : env.keySet()) {
      if (!consumedEnv.contains(name) && !notKeys.contains(name)) {
        problems.add(name + ": an SMSGW_ variable that matches no configuration key" + suggestion(name, knownEnv));
      }
    }
    if (!problems.isEmpty()) throw new ConfigException(origin, problems);
  }

  /** " (did you mean x?)" for the closest of {@code candidates} within three edits, else "". */
  private static String suggestion(String wrong, Set<String> candidates) {
    String best = null;
    int bestDistance = 4;
    for (String candidate : candidates) {
      int d = distance(wrong, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) previous[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  /** Where one value came from, to say so in a problem. */
  private record Raw(Object value, boolean fromEnv, String source) {
    String describe() {
      return (fromEnv ? Json.encode(String.valueOf(value)) : Json.encode(value)) + " " + source;
    }
  }

  /** One section of the file: typed reads, each checked, each problem naming {@code section.key (SMSGW_SECTION_KEY)}. */
  final class Section {

    final String name;
    private final JsonObject node;
    private final Set<String> keys = new LinkedHashSet<>();
    /** The section itself is missing or not an object: said once, not once per key. */
    private final boolean broken;

    private Section(String name) {
      this.name = name;
      Object value = root.getValue(name);
      if (value instanceof JsonObject object) {
        node = object;
        broken = false;
      } else {
        problems.add(name + ": " + (value == null ? "section missing from " + origin : "must be an object in " + origin
          + ", not " + Json.encode(value)));
        node = new JsonObject();
        broken = true;
        root.put(name, node);
      }
    }

    String key(String key) {
      return name + "." + key + " (" + envName(name, key) + ")";
    }

    void problem(String key, String text) {
      problems.add(key(key) + ": " + text);
    }

    private Raw raw(String key, String alias) {
      keys.add(key);
      String envKey = envName(name, key);
      if (alias != null && env.containsKey(alias)) {
        consumedEnv.add(alias);
        if (env.containsKey(envKey)) consumedEnv.add(envKey);  // known, and the alias wins over it
        return new Raw(env.get(alias), true, "from " + alias);
      }
      if (env.containsKey(envKey)) {
        consumedEnv.add(envKey);
        return new Raw(env.get(envKey), true, "from the environment");
      }
      if (!node.containsKey(key)) {
        if (!broken) problem(key, "missing from " + origin);
        return null;
      }
      return new Raw(node.getValue(key), false, "in " + origin);
    }

    int integer(String key, int min, int max) {
      Long value = whole(key, min, max);
      if (value == null) return min;
      node.put(key, value.intValue());
      return value.intValue();
    }

    long number(String key, long min, long max) {
      Long value = whole(key, min, max);
      if (value == null) return min;
      node.put(key, value);
      return value;
    }

    private Long whole(String key, long min, long max) {
      Raw raw = raw(key, null);
      if (raw == null) return null;
      long value;
      if (raw.fromEnv()) {
        try {
          value = Long.parseLong(((String) raw.value()).trim());
        } catch (NumberFormatException e) {
          problem(key, raw.describe() + " is not a whole number");
          return null;
        }
      } else if (raw.value() instanceof Integer || raw.value() instanceof Long || raw.value() instanceof Short
        || raw.value() instanceof Byte) {
        value = ((Number) raw.value()).longValue();
      } else if (raw.value() instanceof BigInteger) {
        problem(key, raw.describe() + " is too large");
        return null;
      } else {
        problem(key, raw.describe() + " is not a whole number");
        return null;
      }
      if (value < min || value > max) {
        problem(key, raw.describe() + " is out of range: " + range(min, max));
        return null;
      }
      return value;
    }

    private static String range(long min, long max) {
      if (max == Integer.MAX_VALUE || max == Long.MAX_VALUE) return "it must be at least " + min;
      return "it must be between " + min + " and " + max;
    }

    double decimal(String key, double min, double max) {
      Raw raw = raw(key, null);
      if (raw == null) return min;
      double value;
      if (raw.fromEnv()) {
        try {
          value = Double.parseDouble(((String) raw.value()).trim());
        } catch (NumberFormatException e) {
          value = Double.NaN;
        }
      } else if (raw.value() instanceof Number n) {
        value = n.doubleValue();
      } else {
        value = Double.NaN;
      }
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        problem(key, raw.describe() + " is not a number");
        return min;
      }
      if (value < min || value > max) {
        problem(key, raw.describe() + " is out of range: it must be between " + min + " and " + max);
        return min;
      }
      node.put(key, value);
      return value;
    }

    /** Any string, empty included; from the environment as given (not trimmed). */
    String string(String key) {
      Raw raw = raw(key, null);
      if (raw == null) return "";
      if (!(raw.value() instanceof String s)) {
        problem(key, raw.describe() + " is not a string (write it in quotes)");
        return "";
      }
      node.put(key, s);
      return s;
    }

    String nonEmpty(String key) {
      int before = problems.size();
      String value = string(key);
      if (problems.size() == before && value.isBlank()) problem(key, "must not be empty");
      return value;
    }

    /** One of {@code allowed}, compared without case or surrounding blanks; the lower-case form is kept. */
    String oneOf(String key, String... allowed) {
      int before = problems.size();
      String value = string(key);
      if (problems.size() != before) return allowed[0];
      String normal = value.trim().toLowerCase(Locale.ROOT);
      for (String a : allowed) {
        if (a.equals(normal)) {
          node.put(key, normal);
          return normal;
        }
      }
      problem(key, Json.encode(value) + " must be one of " + String.join(", ", quoted(allowed)));
      return allowed[0];
    }

    private static List<String> quoted(String[] values) {
      List<String> out = new ArrayList<>();
      for (String v : values) out.add(Json.encode(v));
      return out;
    }

    /**
     * A JSON array (its elements are checked by the caller); from the environment as the array's JSON text
     * ({@code SMSGW_ROUTING_ROUTES='[{"prefix": "+98", "providers": ["smsc-1"]}]'}).
     */
    JsonArray list(String key) {
      Raw raw = raw(key, null);
      if (raw == null) return new JsonArray();
      Object value = raw.value();
      if (raw.fromEnv()) {
        try {
          value = Json.decodeValue((String) raw.value());
        } catch (DecodeException e) {
          problem(key, raw.describe() + " is not JSON (write the list as a JSON array)");
          return new JsonArray();
        }
      }
      if (!(value instanceof JsonArray array)) {
        problem(key, raw.describe() + " must be a list (a JSON array)");
        return new JsonArray();
      }
      node.put(key, array);
      return array;
    }

    /** on / off (also true / false, yes / no, a JSON boolean; empty is on); kept as "on" or "off". */
    boolean onOff(String key, String alias) {
      Raw raw = raw(key, alias);
      if (raw == null) return true;
      Boolean on = null;
      if (raw.value() instanceof Boolean b) {
        on = b;
      } else if (raw.value() instanceof String s) {
        on = switch (s.trim().toLowerCase(Locale.ROOT)) {
          case "on", "true", "yes", "" -> Boolean.TRUE;
          case "off", "false", "no" -> Boolean.FALSE;
          default -> null;
        };
      }
      if (on == null) {
        problem(key, raw.describe() + " must be on or off");
        return true;
      }
      node.put(key, on ? "on" : "off");
      return on;
    }

    /**
     * An optional object of client settings passed through as they are ({@code "producer": {"compression.type": "lz4"}});
     * from the environment {@code SMSGW_<SECTION>_<KEY>_<SETTING>}, the setting lower-cased with {@code _} read as
     * {@code .} ({@code SMSGW_KAFKA_PRODUCER_COMPRESSION_TYPE} is {@code compression.type}). {@code check} says what is
     * wrong with one setting and value, or null.
     */
    Map<String, String> passThrough(String key, BiFunction<String, String, String> check) {
      keys.add(key);
      Map<String, String> settings = new TreeMap<>();
      Map<String, String> sources = new TreeMap<>();
      Object value = node.getValue(key);
      if (value instanceof JsonObject object) {
        for (String setting : object.fieldNames()) {
          Object v = object.getValue(setting);
          if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            settings.put(setting, String.valueOf(v));
            sources.put(setting, Json.encode(v) + " in " + origin);
          } else {
            problems.add(passKey(key, setting) + ": " + Json.encode(v) + " in " + origin + " must be a string, a number or a boolean");
          }
        }
      } else if (value != null || node.containsKey(key)) {
        problem(key, Json.encode(value) + " in " + origin + " must be an object of client settings");
      }
      String prefix = envName(name, key) + "_";
      env.forEach((envKey, v) -> {
        if (envKey.startsWith(prefix) && envKey.length() > prefix.length()) {
          consumedEnv.add(envKey);
          String setting = envKey.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
          settings.put(setting, v);
          sources.put(setting, Json.encode(v) + " from the environment");
        }
      });
      JsonObject written = new JsonObject();
      settings.forEach((setting, v) -> {
        String wrong = check.apply(setting, v);
        if (wrong != null) problems.add(passKey(key, setting) + ": " + sources.get(setting) + " " + wrong);
        written.put(setting, v);
      });
      node.put(key, written);
      return Map.copyOf(settings);
    }

    private String passKey(String key, String setting) {
      return name + "." + key + "." + setting + " (" + envName(name, key) + "_"
        + setting.replace('.', '_').toUpperCase(Locale.ROOT) + ")";
    }

    private void reportUnknownKeys() {
      if (broken) return;
      for (String key : node.fieldNames()) {
        if (!keys.contains(key)) problem(key, "unknown key in " + origin + suggestion(key, keys));
      }
    }
  }
}
