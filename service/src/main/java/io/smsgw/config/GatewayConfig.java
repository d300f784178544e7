package io.smsgw.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pod's configuration: {@code conf/smsgw.json} with {@code SMSGW_*} environment overrides (every leaf key
 * {@code a.b_c} is overridden by {@code SMSGW_A_B_C}), read into one typed record per section and checked when it is
 * built: an unknown key or variable, a wrong type or an out-of-range value stops the start with a
 * {@link ConfigException} that lists every problem at once, each naming its key in both spellings.
 *
 * <p>Verticles get {@link #json()} (the values decided, environment included, in their types) in their
 * {@code DeploymentOptions} and rebuild it with {@code new GatewayConfig(config())}.
 */
public final class GatewayConfig {

  public static final String DEFAULT_PATH = "conf/smsgw.json";

  /**
   * {@code SMSGW_} variables that are not configuration keys: the file's path, and variables of the scripts and tests
   * around the service (bench/flood.sh, the dev kit's SMSGW_DEV_PROVIDER).
   */
  static final Set<String> NOT_KEYS = Set.of("SMSGW_CONF", BalanceSettings.RESERVATION_ALIAS,
    "SMSGW_FLOOD_PORT", "SMSGW_FLOOD_USER", "SMSGW_FLOOD_KEY", "SMSGW_DEV_PROVIDER");

  private final JsonObject json;
  private final Map<String, Set<String>> schema;
  private final HttpSettings http;
  private final AdminSettings admin;
  private final AuthSettings auth;
  private final PgSettings pg;
  private final KafkaSettings kafka;
  private final RedisSettings redis;
  private final InstancesSettings instances;
  private final PricingSettings pricing;
  private final RateLimitSettings rateLimit;
  private final ChargeSettings charge;
  private final OutboxSettings outbox;
  private final BalanceSettings balance;
  private final SettlementSettings settlement;
  private final ProviderSettings provider;
  private final SmppSettings smpp;
  private final RoutingSettings routing;
  private final ProviderSimSettings providerSim;
  private final WorkerSettings worker;
  private final ClusterSettings cluster;
  private final SenderSettings sender;
  private final WebhookSettings webhooks;
  private final BulkSettings bulk;

  /** A configuration already decided ({@link #json()} of another, e.g. a verticle's {@code config()}): checked again, no environment. */
  public GatewayConfig(JsonObject json) {
    this(json, Map.of(), "the configuration given");
  }

  private GatewayConfig(JsonObject source, Map<String, String> env, String origin) {
    ConfigReader reader = new ConfigReader(source.copy(), env, origin);
    http = HttpSettings.from(reader.section("http"));
    admin = AdminSettings.from(reader.section("admin"));
    auth = AuthSettings.from(reader.section("auth"));
    pg = PgSettings.from(reader.section("pg"));
    kafka = KafkaSettings.from(reader.section("kafka"));
    redis = RedisSettings.from(reader.section("redis"));
    instances = InstancesSettings.from(reader.section("instances"));
    pricing = PricingSettings.from(reader.section("pricing"));
    rateLimit = RateLimitSettings.from(reader.section("rate_limit"));
    charge = ChargeSettings.from(reader.section("charge"));
    outbox = OutboxSettings.from(reader.section("outbox"));
    balance = BalanceSettings.from(reader.section("balance"));
    settlement = SettlementSettings.from(reader.section("settlement"));
    provider = ProviderSettings.from(reader.section("provider"));
    smpp = SmppSettings.from(reader.section("smpp"));
    routing = RoutingSettings.from(reader.section("routing"), reader, provider, smpp);
    providerSim = ProviderSimSettings.from(reader.section("provider_sim"));
    worker = WorkerSettings.from(reader.section("worker"));
    cluster = ClusterSettings.from(reader.section("cluster"));
    sender = SenderSettings.from(reader.section("sender"));
    webhooks = WebhookSettings.from(reader.section("webhooks"));
    bulk = BulkSettings.from(reader.section("bulk"));
    if (!reader.hasProblems()) checkAcrossKeys(reader);
    reader.finish(NOT_KEYS);
    json = reader.root();
    schema = reader.schema();
  }

  /** Rules between keys, checked once each key is valid on its own. */
  private void checkAcrossKeys(ConfigReader reader) {
    // A claim must outlast a send: otherwise every send would be given back unsent, or run past its claim.
    if (sender.claimMs() < provider.timeoutMs() + 2_000) {
      reader.problem("sender.claim_ms (SMSGW_SENDER_CLAIM_MS): " + sender.claimMs() + " must be at least provider.timeout_ms "
        + "(SMSGW_PROVIDER_TIMEOUT_MS) + 2000 = " + (provider.timeoutMs() + 2_000) + ": a claim must outlast a send");
    }
    // The same for the webhook dispatcher's lease on an event: it must outlast a POST (and the name lookup before it).
    if (webhooks.leaseMs() < webhooks.timeoutMs() + 2_000) {
      reader.problem("webhooks.lease_ms (SMSGW_WEBHOOKS_LEASE_MS): " + webhooks.leaseMs() + " must be at least webhooks.timeout_ms "
        + "(SMSGW_WEBHOOKS_TIMEOUT_MS) + 2000 = " + (webhooks.timeoutMs() + 2_000) + ": a lease must outlast a delivery");
    }
    if (webhooks.backoffMaxMs() < webhooks.backoffBaseMs()) {
      reader.problem("webhooks.backoff_max_ms (SMSGW_WEBHOOKS_BACKOFF_MAX_MS): " + webhooks.backoffMaxMs()
        + " must be at least webhooks.backoff_base_ms (SMSGW_WEBHOOKS_BACKOFF_BASE_MS) = " + webhooks.backoffBaseMs());
    }
  }

  /**
   * Reads the file (or the copy packaged in the jar when there is none at {@code path}) and applies the {@code SMSGW_*}
   * variables of {@code env} on top. Throws {@link ConfigException} with every problem found.
   */
  public static GatewayConfig load(String path, Map<String, String> env) {
    String text;
    String origin = path;
    try {
      Path file = Path.of(path);
      if (Files.exists(file)) {
        text = Files.readString(file);
      } else {
        try (var in = GatewayConfig.class.getClassLoader().getResourceAsStream(DEFAULT_PATH)) {
          if (in == null) throw new ConfigException(path, List.of("no configuration file at " + path + " (SMSGW_CONF)"));
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          origin = "the " + DEFAULT_PATH + " packaged in the jar";
        }
      }
    } catch (IOException e) {
      throw new ConfigException(path, List.of("cannot read " + path + " (SMSGW_CONF): " + e));
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException(origin, List.of(origin + " is not a JSON object: " + e.getMessage()));
    }
    return new GatewayConfig(json, env, origin);
  }

  /** The values decided (file and environment), each in its type: what verticles receive in their deployment options. */
  public JsonObject json() {
    return json;
  }

  /** A copy with one key changed, checked again (the dev kit, the tests and the bench fill in addresses and ports). */
  public GatewayConfig with(String section, String key, Object value) {
    Set<String> keys = schema.get(section);
    if (keys == null || !keys.contains(key)) {
      throw new IllegalArgumentException("no configuration key " + section + "." + key + " (" + ConfigReader.envName(section, key) + ")");
    }
    JsonObject copy = json.copy();
    copy.getJsonObject(section).put(key, value);
    return new GatewayConfig(copy, Map.of(), "the configuration given (" + section + "." + key + " set to " + value + ")");
  }

  public HttpSettings http() { return http; }
  public AdminSettings admin() { return admin; }
  public AuthSettings auth() { return auth; }
  public PgSettings pg() { return pg; }
  public KafkaSettings kafka() { return kafka; }
  public RedisSettings redis() { return redis; }
  public InstancesSettings instances() { return instances; }
  public PricingSettings pricing() { return pricing; }
  public RateLimitSettings rateLimit() { return rateLimit; }
  public ChargeSettings charge() { return charge; }
  public OutboxSettings outbox() { return outbox; }
  public BalanceSettings balance() { return balance; }
  public SettlementSettings settlement() { return settlement; }
  public ProviderSettings provider() { return provider; }
  public SmppSettings smpp() { return smpp; }
  public RoutingSettings routing() { return routing; }
  public ProviderSimSettings providerSim() { return providerSim; }
  public WorkerSettings worker() { return worker; }
  public ClusterSettings cluster() { return cluster; }
  public SenderSettings sender() { return sender; }
  public WebhookSettings webhooks() { return webhooks; }
  public BulkSettings bulk() { return bulk; }

}
