package io.smsgw.docs;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md documents every key of conf/smsgw.json, with the default the file has, under the heading of
 * its section, and nothing that is not in the file. The tables' rows are {@code | `section.key` | `default` | meaning |},
 * the default written as the JSON literal of the file ({@code 8081}, {@code 0.0}, {@code "sync"}, {@code ""}).
 */
class ConfigurationDocTest {

  private static final Path CONF = Path.of("conf", "smsgw.json");
  private static final Path DOC = Path.of("docs", "configuration.md");
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z0-9_]+(?:\\.[a-z0-9_]+)+)`\\s*\\|\\s*`([^`]*)`\\s*\\|.*\\|\\s*$");
  private static final Pattern SECTION = Pattern.compile("^##\\s+`([a-z0-9_]+)`.*$");

  /** key → the JSON text of its default, from conf/. */
  private static final Map<String, String> conf = new LinkedHashMap<>();
  /** key → the documented default, and the section heading each row sits under. */
  private static final Map<String, String> documented = new LinkedHashMap<>();
  private static final Map<String, String> sectionOf = new LinkedHashMap<>();
  private static final List<String> twice = new ArrayList<>();

  @BeforeAll
  static void read() throws Exception {
    flatten("", new JsonObject(Files.readString(CONF)));
    String section = null;
    for (String line : Files.readAllLines(DOC)) {
      Matcher heading = SECTION.matcher(line);
      if (heading.matches()) section = heading.group(1);
      else if (line.startsWith("#")) section = null;
      Matcher row = ROW.matcher(line);
      if (!row.matches()) continue;
      if (documented.put(row.group(1), row.group(2).trim()) != null) twice.add(row.group(1));
      sectionOf.put(row.group(1), section);
    }
  }

  private static void flatten(String prefix, JsonObject node) {
    for (String key : node.fieldNames()) {
      if (key.startsWith("_")) continue;  // "_comment"
      Object value = node.getValue(key);
      // A section is an object; an object inside a section (kafka.producer) is one key: settings passed through as they are.
      if (value instanceof JsonObject child && prefix.isEmpty()) flatten(key + ".", child);
      else conf.put(prefix + key, Json.encode(value));
    }
  }

  @Test
  @DisplayName("Every key of conf/smsgw.json is documented, and every documented key is in conf/")
  void sameKeys() {
    assertThat(conf).as("no keys read from %s", CONF).isNotEmpty();
    Set<String> undocumented = new TreeSet<>(conf.keySet());
    undocumented.removeAll(documented.keySet());
    Set<String> unknown = new TreeSet<>(documented.keySet());
    unknown.removeAll(conf.keySet());
    assertThat(undocumented).as("keys of %s missing from %s", CONF, DOC).isEmpty();
    assertThat(unknown).as("keys documented in %s that %s does not have", DOC, CONF).isEmpty();
    assertThat(twice).as("keys documented twice").isEmpty();
  }

  @Test
  @DisplayName("Every documented default is the value in conf/smsgw.json")
  void sameDefaults() {
    Map<String, String> differ = new LinkedHashMap<>();
    conf.forEach((key, value) -> {
      String doc = documented.get(key);
      if (doc != null && !doc.equals(value)) differ.put(key, "documented " + doc + ", conf/ has " + value);
    });
    assertThat(differ).isEmpty();
  }

  @Test
  @DisplayName("Every key is documented under the heading of its section")
  void grouped() {
    Map<String, String> misplaced = new LinkedHashMap<>();
    sectionOf.forEach((key, section) -> {
      if (!key.startsWith(section + ".")) misplaced.put(key, "under " + (section == null ? "no section heading" : "## `" + section + "`"));
    });
    assertThat(misplaced).isEmpty();
  }

  @Test
  @DisplayName("The doc states the SMSGW_* override rule")
  void overrideRule() throws Exception {
    assertThat(Files.readString(DOC)).contains("SMSGW_").contains("SMSGW_CONF");
  }
}
