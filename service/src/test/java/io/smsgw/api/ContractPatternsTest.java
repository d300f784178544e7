package io.smsgw.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract's patterns, through the contract's own validator (vertx-json-schema, java.util.regex find()), and
 * the code's one id parser: they accept exactly the same ids, and no pattern lets a trailing line terminator
 * through (a regex {@code $} matches before one).
 */
@DisplayName("Contract patterns and the id parser")
class ContractPatternsTest {

  private static Vertx vertx;
  private static OpenAPIContract contract;

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, HttpVerticle.CONTRACT).await();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  private static Validator bodyField(String operation, String field) {
    JsonObject schema = contract.operation(operation).getRequestBody().getContent().get("application/json").getSchema()
      .get("properties", new JsonObject()).getJsonObject(field);
    return contract.getSchemaRepository().validator(JsonSchema.of(schema));
  }

  private static Validator pathParameter(String operation, String name) {
    for (Parameter p : contract.operation(operation).getParameters()) {
      if (p.getName().equals(name)) return contract.getSchemaRepository().validator(p.getSchema());
    }
    throw new IllegalArgumentException(name);
  }

  static List<String> idCandidates() {
    String id = UUID.randomUUID().toString();
    List<String> all = new ArrayList<>(List.of(id, id.toUpperCase(Locale.ROOT), "urn:uuid:" + id, "URN:UUID:" + id, "{" + id + "}",
      id + "\n", id + "\r\n", id + "\r", id + "\u2028", id + "\u0085", "\n" + id, id + " ", " " + id, id.replace("-", ""),
      "1-2-3-4-5", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000", "g" + id.substring(1),
      id.substring(0, 34) + "٣٣", id.substring(0, 35) + "\uff10", id.replace('-', '_'), "", "00000000-0000-0000-0000-000000000000"));
    return all;
  }

  @Test
  @DisplayName("Every uuid in the contract (paths and bodies) accepts exactly what Uuids.parse accepts")
  void idsAgree() {
    List<Validator> validators = List.of(pathParameter("getBalance", "user_id"), pathParameter("getMessageStatus", "message_id"),
      pathParameter("topUp", "user_id"), bodyField("sendSms", "message_id"), bodyField("sendSms", "user_id"),
      bodyField("topUp", "topup_id"));
    for (String candidate : idCandidates()) {
      boolean parses;
      try {
        assertThat(Uuids.parse(candidate)).isEqualTo(UUID.fromString(candidate));
        parses = true;
      } catch (IllegalArgumentException refused) {
        parses = false;
      }
      assertThat(Uuids.isCanonical(candidate)).isEqualTo(parses);
      assertThat(Pattern.compile(Uuids.PATTERN).matcher(candidate).find()).as(candidate).isEqualTo(parses);
      for (Validator v : validators) {
        assertThat(v.validate(candidate).getValid()).as("schema on %s", JsonObject.of("v", candidate).encode()).isEqualTo(parses);
      }
    }
  }

  @Test
  @DisplayName("The phone pattern matches the whole value: no trailing newline, CR, U+2028 or U+0085")
  void phoneAnchoredAtTheRealEnd() {
    Validator phone = bodyField("sendSms", "phone_number");
    assertThat(phone.validate("+989121234567").getValid()).isTrue();
    for (String s : List.of("+989121234567\n", "+989121234567\r\n", "+989121234567\r", "+989121234567\u2028",
      "+989121234567\u0085", "+989121234567 ", "+9891212345678901", "x+989121234567")) {
      assertThat(phone.validate(s).getValid()).as(JsonObject.of("v", s).encode()).isFalse();
    }
  }

  @Test
  @DisplayName("No pattern in the contract ends in a bare $ (it matches before a final line terminator)")
  void noBareDollar() throws Exception {
    String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("openapi", "openapi.yaml"));
    for (String line : yaml.split("\n")) {
      if (line.contains("pattern:")) assertThat(line).as(line).doesNotContain("$'").contains("(?![\\s\\S])'");
    }
  }
}
