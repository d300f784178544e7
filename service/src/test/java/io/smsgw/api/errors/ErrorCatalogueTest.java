package io.smsgw.api.errors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error catalogue has one source: the table in the contract's {@code info.description}
 * (openapi/openapi.yaml, rendered by Swagger UI; docs/errors.md points there). {@link ApiError} must answer exactly
 * those codes with exactly those statuses.
 */
class ErrorCatalogueTest {

  /** A row of the catalogue: {@code | 400 | `invalid_request` | when |}. */
  private static final Pattern ROW = Pattern.compile("^\\s*\\|\\s*(\\d{3})\\s*\\|\\s*`([a-z_]+)`\\s*\\|.*\\|\\s*$");

  private static Map<String, Object> contract;
  private static Map<String, Integer> catalogue;

  @BeforeAll
  static void readContract() throws Exception {
    contract = new Yaml().load(Files.readString(Path.of("openapi", "openapi.yaml")));
    String description = (String) info().get("description");
    catalogue = new TreeMap<>();
    for (String line : description.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (!row.matches()) continue;
      Integer before = catalogue.put(row.group(2), Integer.parseInt(row.group(1)));
      assertThat(before).as("code %s listed twice in the contract's catalogue", row.group(2)).isNull();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> info() {
    return (Map<String, Object>) contract.get("info");
  }

  @Test
  @DisplayName("The contract's catalogue lists every code ApiError answers, with the same HTTP status, and no other")
  void contractAndApiErrorAgree() {
    Map<String, Integer> code = Arrays.stream(ApiError.values())
      .collect(Collectors.toMap(ApiError::code, e -> e.status, (a, b) -> a, TreeMap::new));
    assertThat(catalogue).as("the contract's table was not found or is empty").isNotEmpty();
    assertThat(difference(code, catalogue)).as("codes ApiError answers that the contract does not list").isEmpty();
    assertThat(difference(catalogue, code)).as("codes the contract lists that ApiError does not answer").isEmpty();
    assertThat(catalogue).as("status per code: the contract's (actual) against ApiError's (expected)").isEqualTo(code);
  }

  private static java.util.Set<String> difference(Map<String, Integer> a, Map<String, Integer> b) {
    java.util.Set<String> only = new java.util.TreeSet<>(a.keySet());
    only.removeAll(b.keySet());
    return only;
  }

  @Test
  @DisplayName("Every error answer an operation declares has a status that some catalogue code carries")
  @SuppressWarnings("unchecked")
  void declaredStatusesHaveCodes() {
    Map<String, Object> paths = (Map<String, Object>) contract.get("paths");
    int declared = 0;
    for (var path : paths.entrySet()) {
      for (var operation : ((Map<String, Object>) path.getValue()).entrySet()) {
        if (!(operation.getValue() instanceof Map<?, ?> op) || !(op.get("responses") instanceof Map<?, ?> responses)) continue;
        for (Map.Entry<?, ?> response : responses.entrySet()) {
          // The error answers refer to the shared Error envelope (components/responses); /health/ready's 503 is a body of its own.
          Object ref = response.getValue() instanceof Map<?, ?> r ? r.get("$ref") : null;
          if (ref == null || !String.valueOf(ref).startsWith("#/components/responses/")) continue;
          int status = Integer.parseInt(String.valueOf(response.getKey()));
          assertThat(catalogue.values()).as("%s %s declares %s", operation.getKey(), path.getKey(), status).contains(status);
          declared++;
        }
      }
    }
    assertThat(declared).as("error responses found in the contract").isPositive();
  }
}
