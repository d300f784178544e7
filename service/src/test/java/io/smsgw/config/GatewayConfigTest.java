package io.smsgw.config;

import io.smsgw.domain.Priority;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {

  /** The file as committed (the tests run in the repository's root). */
  private static final String COMMITTED = GatewayConfig.DEFAULT_PATH;

  @TempDir
  Path dir;

  private static GatewayConfig load(Map<String, String> env) {
    return GatewayConfig.load(COMMITTED, env);
  }

  private static ConfigException refused(Map<String, String> env) {
    try {
      load(env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("the configuration was accepted");
  }

  /** conf/smsgw.json with one change made to its JSON. */
  private Path fileWith(java.util.function.Consumer<JsonObject> change) throws Exception {
    JsonObject json = new JsonObject(Files.readString(Path.of(COMMITTED)));
    change.accept(json);
    Path file = dir.resolve("smsgw.json");
    Files.writeString(file, json.encodePrettily());
    return file;
  }

  @Test
  @DisplayName("conf/smsgw.json as committed loads clean, and the jar's copy is the same")
  void committedLoadsClean() {
    GatewayConfig config = load(Map.of());
    assertThat(config.charge().maxBatch()).isEqualTo(256);
    assertThat(config.http().port()).isEqualTo(8081);
    assertThat(config.balance().reservation()).isTrue();
    assertThat(config.provider().lookup()).isTrue();
    assertThat(config.kafka().producer()).isEmpty();
    assertThat(config.kafka().consumer()).isEmpty();
    GatewayConfig packaged = GatewayConfig.load(dir.resolve("absent.json").toString(), Map.of());
    assertThat(packaged.json()).isEqualTo(config.json());
  }

  @Test
  @DisplayName("lanes: sender.<lane>_* as one record per lane")
  void lanes() {
    GatewayConfig config = load(Map.of("SMSGW_SENDER_VIP_MAX_ATTEMPTS", "3"));
    assertThat(config.sender().lane(Priority.VIP)).isEqualTo(new LaneSettings(3, 200, 2000, 60000, 5000, 4));
    assertThat(config.sender().lane(Priority.NORMAL)).isEqualTo(new LaneSettings(8, 1000, 60000, 900000, 60000, 1));
  }

  @Test
  @DisplayName("a valid override is taken, in its type, and travels in json() to the verticles")
  void validOverride() {
    GatewayConfig config = load(Map.of("SMSGW_CHARGE_MAX_BATCH", " 64 ", "SMSGW_PROVIDER_SIM_TRANSIENT_FAILURE_RATE", "0.25",
      "SMSGW_BALANCE_MODE", "ASYNC", "SMSGW_RESERVATION", "off", "SMSGW_PROVIDER_LOOKUP", "off", "PATH", "/usr/bin"));
    assertThat(config.charge().maxBatch()).isEqualTo(64);
    assertThat(config.providerSim().transientFailureRate()).isEqualTo(0.25);
    assertThat(config.balance().mode()).isEqualTo("async");
    assertThat(config.balance().reservation()).isFalse();
    assertThat(config.provider().lookup()).isFalse();
    assertThat(config.json().getJsonObject("charge").getValue("max_batch")).isEqualTo(64);
    // A verticle rebuilds it from its deployment options: the same values, nothing refused.
    GatewayConfig inVerticle = new GatewayConfig(config.json().copy());
    assertThat(inVerticle.charge().maxBatch()).isEqualTo(64);
    assertThat(inVerticle.balance().reservation()).isFalse();
    assertThat(inVerticle.sender().vip().orphanAfterMs()).isEqualTo(5000);
    assertThat(inVerticle.balance().mode()).isEqualTo("async");
  }

  @Test
  @DisplayName("SMSGW_RESERVATION wins over SMSGW_BALANCE_RESERVATION, and neither is unknown")
  void reservationAlias() {
    GatewayConfig config = load(Map.of("SMSGW_RESERVATION", "off", "SMSGW_BALANCE_RESERVATION", "on"));
    assertThat(config.balance().reservation()).isFalse();
  }

  @Test
  @DisplayName("with() re-checks: a good value is taken, a bad one is refused naming the key")
  void withRechecks() {
    GatewayConfig config = load(Map.of()).with("provider_sim", "port", 18_000);
    assertThat(config.providerSim().port()).isEqualTo(18_000);
    assertThatThrownBy(() -> config.with("balance", "mode", "asink"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("balance.mode (SMSGW_BALANCE_MODE)");
    assertThatThrownBy(() -> config.with("http", "prot", 1))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http.prot");
  }

  @Test
  @DisplayName("a wrong type names the key in both spellings: abc for an int (no bare NumberFormatException)")
  void wrongTypeFromEnvironment() {
    ConfigException e = refused(Map.of("SMSGW_CHARGE_MAX_BATCH", "abc"));
    assertThat(e.problems()).containsExactly(
      "charge.max_batch (SMSGW_CHARGE_MAX_BATCH): \"abc\" from the environment is not a whole number");
    assertThat(e.getMessage()).startsWith("configuration refused (conf/smsgw.json), 1 problem:");
  }

  @Test
  @DisplayName("wrong types: 1.5 for an int, maybe for on/off, a number for a string, a string for a rate")
  void wrongTypes() throws Exception {
    Path file = fileWith(json -> {
      json.getJsonObject("charge").put("max_batch", 1.5);
      json.getJsonObject("pg").put("url", 5432);
      json.getJsonObject("provider_sim").put("slow_answer_rate", "often");
    });
    ConfigException e = assertThrows(file, Map.of("SMSGW_PROVIDER_LOOKUP", "maybe", "SMSGW_SENDER_POLL_RECORDS", "1.5"));
    assertThat(e.problems()).containsExactlyInAnyOrder(
      "charge.max_batch (SMSGW_CHARGE_MAX_BATCH): 1.5 in " + file + " is not a whole number",
      "pg.url (SMSGW_PG_URL): 5432 in " + file + " is not a string (write it in quotes)",
      "provider_sim.slow_answer_rate (SMSGW_PROVIDER_SIM_SLOW_ANSWER_RATE): \"often\" in " + file + " is not a number",
      "provider.lookup (SMSGW_PROVIDER_LOOKUP): \"maybe\" from the environment must be on or off",
      "sender.poll_records (SMSGW_SENDER_POLL_RECORDS): \"1.5\" from the environment is not a whole number");
  }

  @Test
  @DisplayName("out of range: negative sizes, ports above 65535, rates above 1, zero where zero means nothing")
  void outOfRange() {
    ConfigException e = refused(Map.of(
      "SMSGW_CHARGE_MAX_QUEUE", "-1",
      "SMSGW_HTTP_PORT", "65536",
      "SMSGW_PROVIDER_SIM_LATE_DECISION_RATE", "1.5",
      "SMSGW_CHARGE_STATEMENT_TIMEOUT_MS", "0",
      "SMSGW_SENDER_POLL_RECORDS", "0"));
    assertThat(e.problems()).containsExactlyInAnyOrder(
      "charge.max_queue (SMSGW_CHARGE_MAX_QUEUE): \"-1\" from the environment is out of range: it must be at least 1",
      "http.port (SMSGW_HTTP_PORT): \"65536\" from the environment is out of range: it must be between 0 and 65535",
      "provider_sim.late_decision_rate (SMSGW_PROVIDER_SIM_LATE_DECISION_RATE): \"1.5\" from the environment is out of range: "
        + "it must be between 0.0 and 1.0",
      "charge.statement_timeout_ms (SMSGW_CHARGE_STATEMENT_TIMEOUT_MS): \"0\" from the environment is out of range: it must be at least 1",
      "sender.poll_records (SMSGW_SENDER_POLL_RECORDS): \"0\" from the environment is out of range: it must be at least 1");
  }

  @Test
  @DisplayName("provider_sim.dlr_*: off by default; a URL that is not http(s) and rates that add up past 1 are refused")
  void deliveryReportSettings() {
    ProviderSimSettings defaults = load(Map.of()).providerSim();
    assertThat(defaults.sendsReports()).isFalse();
    assertThat(defaults.dlrDelayMs()).isEqualTo(500);
    assertThat(defaults.dlrMaxBatch()).isEqualTo(250);
    ProviderSimSettings set = load(Map.of("SMSGW_PROVIDER_SIM_DLR_URL", " http://127.0.0.1:8081/provider/delivery-reports ",
      "SMSGW_PROVIDER_SIM_DLR_UNDELIVERED_RATE", "0.5", "SMSGW_PROVIDER_SIM_DLR_EXPIRED_RATE", "0.5")).providerSim();
    assertThat(set.dlrUrl()).isEqualTo("http://127.0.0.1:8081/provider/delivery-reports");
    assertThat(set.sendsReports()).isTrue();
    assertThat(load(Map.of("SMSGW_PROVIDER_SIM_DLR_URL", "off")).providerSim().sendsReports()).as("off: none").isFalse();
    ConfigException e = refused(Map.of("SMSGW_PROVIDER_SIM_DLR_URL", "127.0.0.1:8081/reports",
      "SMSGW_PROVIDER_SIM_DLR_UNDELIVERED_RATE", "0.75", "SMSGW_PROVIDER_SIM_DLR_EXPIRED_RATE", "0.5",
      "SMSGW_PROVIDER_SIM_DLR_MAX_BATCH", "0"));
    assertThat(e.problems()).containsExactlyInAnyOrder(
      "provider_sim.dlr_max_batch (SMSGW_PROVIDER_SIM_DLR_MAX_BATCH): \"0\" from the environment is out of range: "
        + "it must be between 1 and 10000",
      "provider_sim.dlr_url (SMSGW_PROVIDER_SIM_DLR_URL): \"127.0.0.1:8081/reports\" must be empty, off (no reports) or an "
        + "absolute http:// or https:// URL",
      "provider_sim.dlr_undelivered_rate (SMSGW_PROVIDER_SIM_DLR_UNDELIVERED_RATE): 0.75 plus provider_sim.dlr_expired_rate "
        + "(0.5) must be at most 1: they are shares of the same reports");
  }

  @Test
  @DisplayName("zero where it means off or a free port is taken")
  void meaningfulZeros() {
    GatewayConfig config = load(Map.of("SMSGW_HTTP_PORT", "0", "SMSGW_WORKER_HTTP_PORT", "0", "SMSGW_HTTP_REQUEST_TIMEOUT_MS", "0",
      "SMSGW_INSTANCES_SETTLEMENT", "0", "SMSGW_BALANCE_UNRESERVED_CACHE_MS", "0",
      "SMSGW_RATE_LIMIT_DEFAULT_MESSAGES_PER_SECOND", "0"));
    assertThat(config.http().port()).isZero();
  }

  @Test
  @DisplayName("an unknown key or section in the file is refused, with the closest known key")
  void unknownKey() throws Exception {
    Path file = fileWith(json -> {
      json.getJsonObject("charge").put("max_bach", 128);
      json.put("chrage", new JsonObject());
    });
    ConfigException e = assertThrows(file, Map.of());
    assertThat(e.problems()).containsExactlyInAnyOrder(
      "charge.max_bach (SMSGW_CHARGE_MAX_BACH): unknown key in " + file + " (did you mean max_batch?)",
      "chrage (SMSGW_CHRAGE_*): unknown section in " + file + " (did you mean charge?)");
  }

  @Test
  @DisplayName("a key missing from the file is refused; an environment variable can supply it")
  void missingKey() throws Exception {
    Path file = fileWith(json -> json.getJsonObject("sender").remove("claim_ms"));
    assertThat(assertThrows(file, Map.of()).problems())
      .containsExactly("sender.claim_ms (SMSGW_SENDER_CLAIM_MS): missing from " + file);
    assertThat(GatewayConfig.load(file.toString(), Map.of("SMSGW_SENDER_CLAIM_MS", "40000")).sender().claimMs()).isEqualTo(40_000);
  }

  @Test
  @DisplayName("an SMSGW_ variable that matches no key is refused; SMSGW_CONF, the scripts' variables and other variables are not")
  void unknownVariable() {
    ConfigException e = refused(Map.of("SMSGW_CHARGE_MAX_BACH", "128", "SMSGW_CONF", "conf/smsgw.json",
      "SMSGW_FLOOD_PORT", "18081", "HOME", "/root", "smsgw_http_port", "1"));
    assertThat(e.problems()).containsExactly(
      "SMSGW_CHARGE_MAX_BACH: an SMSGW_ variable that matches no configuration key (did you mean SMSGW_CHARGE_MAX_BATCH?)");
  }

  @Test
  @DisplayName("several problems are reported at once, one line each")
  void severalAtOnce() {
    ConfigException e = refused(Map.of("SMSGW_CHARGE_MAX_BATCH", "abc", "SMSGW_HTTP_PORT", "-1", "SMSGW_BALANCE_MODE", "maybe",
      "SMSGW_TYPO", "x"));
    assertThat(e.problems()).hasSize(4);
    assertThat(e.getMessage()).contains("4 problems:")
      .contains("\n  charge.max_batch (SMSGW_CHARGE_MAX_BATCH): ")
      .contains("\n  http.port (SMSGW_HTTP_PORT): ")
      .contains("\n  balance.mode (SMSGW_BALANCE_MODE): \"maybe\" must be one of \"sync\", \"async\"")
      .contains("\n  SMSGW_TYPO: ");
  }

  @Test
  @DisplayName("the claim must outlast a send: sender.claim_ms >= provider.timeout_ms + 2000")
  void claimOutlastsSend() {
    ConfigException e = refused(Map.of("SMSGW_SENDER_CLAIM_MS", "3000", "SMSGW_PROVIDER_TIMEOUT_MS", "2000"));
    assertThat(e.problems()).containsExactly("sender.claim_ms (SMSGW_SENDER_CLAIM_MS): 3000 must be at least provider.timeout_ms "
      + "(SMSGW_PROVIDER_TIMEOUT_MS) + 2000 = 4000: a claim must outlast a send");
    assertThat(load(Map.of("SMSGW_SENDER_CLAIM_MS", "3000", "SMSGW_PROVIDER_TIMEOUT_MS", "1000")).sender().claimMs()).isEqualTo(3000);
  }

  @Test
  @DisplayName("Kafka pass-through: file and SMSGW_KAFKA_PRODUCER_/CONSUMER_ settings reach the client config as they are")
  void kafkaPassThrough() throws Exception {
    Path file = fileWith(json -> json.getJsonObject("kafka")
      .put("producer", new JsonObject().put("compression.type", "lz4").put("buffer.memory", 67108864)));
    GatewayConfig config = GatewayConfig.load(file.toString(), Map.of(
      "SMSGW_KAFKA_PRODUCER_COMPRESSION_TYPE", "zstd",            // the environment wins over the file
      "SMSGW_KAFKA_CONSUMER_FETCH_MAX_WAIT_MS", "100"));
    assertThat(config.kafka().producer()).containsExactlyInAnyOrderEntriesOf(Map.of("compression.type", "zstd", "buffer.memory", "67108864"));
    assertThat(config.kafka().consumer()).containsExactlyInAnyOrderEntriesOf(Map.of("fetch.max.wait.ms", "100"));
    // In a verticle, from json(): the same settings.
    assertThat(new GatewayConfig(config.json()).kafka().producer()).isEqualTo(config.kafka().producer());
    // Where the clients are configured, they go over the code's defaults.
    Map<String, String> producer = io.smsgw.platform.kafka.DurableProducerConfig.base(config);
    assertThat(producer).containsEntry("compression.type", "zstd").containsEntry("buffer.memory", "67108864").containsEntry("acks", "all");
    Map<String, String> consumer = io.smsgw.platform.kafka.ManualCommitConsumerConfig.base(config, "g", 10);
    assertThat(consumer).containsEntry("fetch.max.wait.ms", "100").containsEntry("enable.auto.commit", "false");
  }

  @Test
  @DisplayName("Kafka pass-through: unknown settings, bad values and the settings the guarantees rest on are refused")
  void kafkaPassThroughRefused() {
    ConfigException e = refused(Map.of(
      "SMSGW_KAFKA_PRODUCER_COMPRESION_TYPE", "lz4",
      "SMSGW_KAFKA_PRODUCER_COMPRESSION_TYPE", "lz5",
      "SMSGW_KAFKA_PRODUCER_ACKS", "1",
      "SMSGW_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "true",
      "SMSGW_KAFKA_COMPRESSION", "brotli"));
    assertThat(e.problems()).hasSize(5);
    assertThat(e.getMessage())
      .contains("kafka.producer.compresion.type (SMSGW_KAFKA_PRODUCER_COMPRESION_TYPE): \"lz4\" from the environment is not a Kafka producer setting")
      .contains("kafka.producer.compression.type (SMSGW_KAFKA_PRODUCER_COMPRESSION_TYPE): \"lz5\" from the environment is not taken by Kafka")
      .contains("kafka.producer.acks (SMSGW_KAFKA_PRODUCER_ACKS): \"1\" from the environment is refused: every producer needs acks=all")
      .contains("kafka.consumer.enable.auto.commit (SMSGW_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT): \"true\" from the environment is refused")
      .contains("kafka.compression (SMSGW_KAFKA_COMPRESSION): \"brotli\" is not taken by Kafka");
  }

  @Test
  @DisplayName("a file that is not JSON is one clear problem")
  void notJson() throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{ \"http\": ");
    assertThat(assertThrows(file, Map.of()).problems()).singleElement().asString().startsWith(file + " is not a JSON object");
  }

  private static ConfigException assertThrows(Path file, Map<String, String> env) {
    try {
      GatewayConfig.load(file.toString(), env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("the configuration was accepted");
  }
}
