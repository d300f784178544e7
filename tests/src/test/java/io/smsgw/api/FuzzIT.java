package io.smsgw.api;

import io.smsgw.api.errors.ApiError;

import io.smsgw.testing.Db;
import io.smsgw.testing.FuzzHttp;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of the running gateway with seeded random generators (-Dfuzz.seed=… repeats a run): mutated bodies, field types, unicode edge cases (NUL, lone
 * surrogates, RTL and combining marks, emoji, huge strings), invalid UTF-8, header variants, path spellings and
 * methods, raw malformed HTTP, over a plain socket. Every answer must be below 500 and, unless it is a 2xx, a JSON
 * error with a catalogue code. The sending user's balance is 0, so even a mutation that happens to be valid is a
 * 400 insufficient_balance: nothing may be charged or stored, and the money invariants hold after.
 * Admin operations get no valid token except where success cannot move money (user creation; top-ups of ids
 * that do not exist). The figures (requests by status) are printed at the end.
 */
class FuzzIT {

  private static final Set<String> CATALOGUE = Arrays.stream(ApiError.values()).map(ApiError::code).collect(Collectors.toSet());
  private static final int MAX_EXAMPLES = 3;
  /** The run's seed, printed in the FUZZ line; each property draws from its own stream of it. */
  static final long SEED = Long.getLong("fuzz.seed", 20_240_611L);

  static TestGateway gateway;
  static FuzzHttp http;
  static JsonObject broke;
  static JsonObject other;
  /** Target of the admin operations sent without the token: a top-up that got through must not fund the sender. */
  static JsonObject victim;
  static long messagesBefore;
  static long chargesBefore;
  static long topupsBefore;
  static long usersBefore;
  static final AtomicLong created = new AtomicLong();
  static final Map<String, AtomicLong> byStatus = new ConcurrentHashMap<>();
  static final Map<String, AtomicLong> byProperty = new ConcurrentHashMap<>();
  static final Map<String, List<String>> violations = new TreeMap<>();
  static String property;
  static final List<String> slow = java.util.Collections.synchronizedList(new ArrayList<>());
  static long started;

  /** What a 2xx may mean for a request. */
  enum Success { NEVER, READ, CREATE_USER }

  record Request(String label, String method, byte[] target, List<String[]> headers, byte[] body, Success success, byte[] raw) {
    Request(String label, String method, byte[] target, List<String[]> headers, byte[] body, Success success) {
      this(label, method, target, headers, body, success, null);
    }

    byte[] bytes() {
      if (raw != null) return raw;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(method.getBytes(StandardCharsets.UTF_8));
      out.write(' ');
      out.writeBytes(target);
      out.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
      boolean framed = false;
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase("content-length") || h[0].equalsIgnoreCase("transfer-encoding")) framed = true;
        out.writeBytes((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      if (body != null && !framed) out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.writeBytes("Connection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) out.writeBytes(body);
      return out.toByteArray();
    }

    @Override
    public String toString() {
      String text = new String(bytes(), StandardCharsets.UTF_8);
      return label + ": " + JsonObject.of("r", text.length() > 400 ? text.substring(0, 400) + "…(" + text.length() + " chars)" : text).encode();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    started = System.nanoTime();
    gateway = TestGateway.start();
    http = new FuzzHttp(gateway.config.http().port());
    broke = gateway.createUser(0);
    other = gateway.createUser(0);
    victim = gateway.createUser(0);
    messagesBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages");
    chargesBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind <> 'topup'");
    topupsBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'topup'");
    usersBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM users");
  }

  @AfterAll
  static void stop() {
    try {
      long requests = byStatus.values().stream().mapToLong(AtomicLong::get).sum();
      System.out.printf(Locale.ROOT, "FUZZ seed %d: %d requests in %.1f s (with the gateway's start); by property %s; by status %s; users created %d%n",
        SEED, requests, (System.nanoTime() - started) / 1e9, new TreeMap<>(byProperty), new TreeMap<>(byStatus), created.get());
      if (!slow.isEmpty()) System.out.println("FUZZ " + slow.size() + " exchanges ended by the client's read timeout, e.g. " + slow.stream().distinct().limit(5).toList());
      violations.forEach((kind, examples) -> System.out.println("FUZZ violation " + kind + "\n    " + String.join("\n    ", examples)));
      assertThat(requests).isGreaterThanOrEqualTo(10_000);
      assertThat(gateway.balance(broke)).isZero();
      assertThat(gateway.balance(other)).isZero();
      assertThat(gateway.balance(victim)).as("credited without the admin token").isZero();
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages")).as("messages stored").isEqualTo(messagesBefore);
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind <> 'topup'")).as("charges and refunds").isEqualTo(chargesBefore);
      // Only a created user's opening balance may add a topup row (one per user); no top-up may have credited.
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'topup'") - topupsBefore).isLessThanOrEqualTo(created.get());
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM users")).isEqualTo(usersBefore + created.get());
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM users WHERE name ~ E'[\\\\x01-\\\\x1F\\\\x7F-\\\\x9F]'"))
        .as("stored names with control characters").isZero();
    } finally {
      gateway.close();
    }
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  @AfterEach
  void noViolation() {
    List<String> mine;
    synchronized (violations) {
      mine = violations.entrySet().stream().filter(e -> e.getKey().startsWith(property + " "))
        .map(e -> e.getKey() + "\n      " + String.join("\n      ", e.getValue())).toList();
    }
    assertThat(mine).as("fuzz violations of " + property).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------- properties

  @Test
  void sendSmsBodies() {
    Gen g = gen("sendSmsBodies");
    for (int i = 0; i < 3500; i++) {
      check(new Request("send-sms body", "POST", "/send-sms".getBytes(StandardCharsets.US_ASCII),
        headers("Content-Type", jsonContentType(g), "X-API-Key", key(broke)), sendSmsBody(g), Success.NEVER));
    }
  }

  @Test
  void otherOperations() {
    Gen g = gen("otherOperations");
    for (int i = 0; i < 2500; i++) check(otherOperation(g));
  }

  @Test
  void headers() {
    Gen g = gen("headers");
    for (int i = 0; i < 1500; i++) {
      byte[] body = sms(broke, "hello").encode().getBytes(StandardCharsets.UTF_8);
      check(new Request("send-sms headers", "POST", "/send-sms".getBytes(StandardCharsets.US_ASCII), headerVariant(g), body, Success.NEVER));
    }
  }

  @Test
  void pathsAndMethods() {
    Gen g = gen("pathsAndMethods");
    for (int i = 0; i < 1500; i++) check(spelledRequest(g));
  }

  @Test
  void rawRequests() {
    Gen g = gen("rawRequests");
    for (int i = 0; i < 1000; i++) check(new Request("raw", "", new byte[0], List.of(), null, Success.READ, rawRequest(g)));
  }

  /** The generator of one property: its own stream from the run's seed, so the order the properties run in changes nothing. */
  private static Gen gen(String name) {
    property = name;
    return new Gen(SEED ^ name.hashCode());
  }

  /** Small seeded random choices: a pick, a weighted pick, an int in a range, strings and bytes of a length. */
  static final class Gen {
    final SplittableRandom random;

    Gen(long seed) {
      random = new SplittableRandom(seed);
    }

    /** An int in [min, max], both included. */
    int between(int min, int max) {
      return random.nextInt(min, max + 1);
    }

    double unit() {
      return random.nextDouble();
    }

    @SafeVarargs
    final <T> T pick(T... values) {
      return values[random.nextInt(values.length)];
    }

    <T> T pick(List<T> values) {
      return values.get(random.nextInt(values.size()));
    }

    /** The index of one of the weights, drawn in proportion to it. */
    int weighted(int... weights) {
      int n = random.nextInt(Arrays.stream(weights).sum());
      for (int i = 0; i < weights.length; i++) {
        if ((n -= weights[i]) < 0) return i;
      }
      throw new AssertionError();
    }

    /** Chars from lo to hi, both included, min to max of them. */
    String chars(char lo, char hi, int min, int max) {
      StringBuilder b = new StringBuilder();
      for (int i = between(min, max); i > 0; i--) b.append((char) between(lo, hi));
      return b.toString();
    }

    /** Chars of the alphabet, min to max of them. */
    String chars(String alphabet, int min, int max) {
      StringBuilder b = new StringBuilder();
      for (int i = between(min, max); i > 0; i--) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      return b.toString();
    }

    /** Any code points (supplementary ones too, and lone surrogates), at most max chars. */
    String codePoints(int max) {
      StringBuilder b = new StringBuilder();
      for (int n = between(0, max); b.length() < n; ) {
        int cp = between(0, Character.MAX_CODE_POINT);
        if (b.length() + Character.charCount(cp) > n) break;
        b.appendCodePoint(cp);
      }
      return b.toString();
    }

    byte[] bytes(int min, int max) {
      byte[] b = new byte[between(min, max)];
      random.nextBytes(b);
      return b;
    }
  }

  // ---------------------------------------------------------------------------------------------- the check

  static void check(Request request) {
    countProperty();
    FuzzHttp.Answer answer;
    long t0 = System.nanoTime();
    try {
      // Raw garbage that HTTP skips (control bytes before a request line) gets no answer until the idle timeout.
      answer = http.exchange(request.bytes(), request.method().equals("HEAD"), request.raw() != null ? 1_500 : 5_000);
    } catch (IOException | RuntimeException e) {
      if (System.nanoTime() - t0 > 1_000_000_000L) slow.add(request.toString().substring(0, Math.min(160, request.toString().length())));
      // Malformed framing inside a body (a bad chunk size) ends the connection without an answer: no answer is
      // no lie. Anywhere else an answer is owed.
      count("closed without an answer");
      if (request.raw() == null) violation("no answer (" + e.getMessage() + ")", request, "");
      return;
    }
    String body = answer.bodyText();
    if (answer.status() == 0 || answer.status() == 101) {
      count(answer.status() == 0 ? "HTTP/2 frames" : "101");  // h2c (Vert.x's default): the same router behind it
      return;
    }
    if (!answer.headers().getOrDefault("content-type", "").startsWith("application/json") && isVertxOwnAnswer(request, answer.status())) {
      // Written by Vert.x / Netty before any handler, not hookable: an unknown HTTP version (501), a WebSocket
      // upgrade with no WebSocket handler (400), an Expect other than 100-continue (417). Counted apart.
      count(answer.status() + " (Vert.x, bare)");
      return;
    }
    count(String.valueOf(answer.status()));
    if (answer.status() >= 500) {
      violation(answer.status() + " " + codeOf(body), request, body);
      return;
    }
    if (answer.status() >= 200 && answer.status() < 300) {
      boolean allowed = switch (request.success()) {
        case NEVER -> false;
        case READ -> true;
        case CREATE_USER -> answer.status() == 201;
      };
      if (!allowed) violation(answer.status() + " where nothing may succeed", request, body);
      if (answer.status() == 201) created.incrementAndGet();
      return;
    }
    if (request.method().equals("HEAD")) return;  // no body on a HEAD answer
    String type = answer.headers().getOrDefault("content-type", "");
    String code = codeOf(body);
    if (!type.startsWith("application/json") || code == null || !CATALOGUE.contains(code)) {
      violation(answer.status() + " without a catalogue JSON error (" + type + ")", request, body);
    }
  }

  private static boolean isVertxOwnAnswer(Request request, int status) {
    String text = new String(request.bytes(), StandardCharsets.ISO_8859_1);
    return status == 501 && text.contains(" HTTP/9.9\r\n") || status == 400 && text.contains("Upgrade: websocket")
      || status == 417 && text.contains("Expect: nonsense\r\n");
  }

  private static void countProperty() {
    byProperty.computeIfAbsent(property, p -> new AtomicLong()).incrementAndGet();
  }

  private static String codeOf(String body) {
    try {
      return new JsonObject(body).getJsonObject("error").getString("code");
    } catch (RuntimeException notCatalogue) {
      return null;
    }
  }

  private static void count(String status) {
    byStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
  }

  private static void violation(String kind, Request request, String body) {
    synchronized (violations) {
      List<String> examples = violations.computeIfAbsent(property + " " + kind, k -> new ArrayList<>());
      if (examples.size() < MAX_EXAMPLES) examples.add(request + " → " + (body.length() > 200 ? body.substring(0, 200) : body));
    }
  }

  // ---------------------------------------------------------------------------------------------- generators

  static String key(JsonObject user) {
    return user.getString("api_key");
  }

  static List<String[]> one(String name, String value) {
    List<String[]> list = new ArrayList<>();
    list.add(new String[] {name, value});
    return list;
  }

  static List<String[]> headers(String... namesAndValues) {
    List<String[]> list = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) list.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
    }
    return list;
  }

  static JsonObject sms(JsonObject user, String text) {
    return new JsonObject().put("message_id", UUID.randomUUID().toString()).put("user_id", user.getString("user_id"))
      .put("phone_number", "+989121234567").put("message", text);
  }

  /** Strings that have broken parsers and storage elsewhere. */
  static final String NASTY_ID = "5a0a3c1e-8a2b-4c9e-9f1d-3b6f0e2a7c11";
  static final String[] NASTY = {"", " ", "\u0000", "a\u0000b", "\ud800", "\udc00", "a\ud83d", "\ude00\ud83d", "\u200f",
      "\u202e", "\u200fسلام\u200e", "e\u0301\u0301\u0301", "😀", "👨‍👩‍👧‍👦", "\ufeff", "\uffff", "\ufffe", "\u2028", "\u2029", "\n", "\r\n", "\t",
      "\f", "\u000b", "\u001b", "\u0085", "\u007f", "\u009f", "+989121234567", "+989121234567\n", "+989121234567\r\n", "+989121234567\u2028",
      "+٩٨٩١٢١٢٣٤٥٦٧", "+98 912 123 4567", NASTY_ID, NASTY_ID.toUpperCase(Locale.ROOT), "urn:uuid:" + NASTY_ID, "{" + NASTY_ID + "}", NASTY_ID + "\n",
      "1-2-3-4-5", NASTY_ID.replace("-", ""), "normal", "vip", "VIP", "null", "true", "0", "-1", "1e400", "9".repeat(40), "€".repeat(766),
      "a".repeat(1530), "a".repeat(1531), "ب".repeat(671), "😀".repeat(766), "%00", "%2e%2e", "../", "\\", "\"", "'; DROP TABLE users; --",
      "${jndi:ldap://x}"};

  static String nastyString(Gen g) {
    return switch (g.weighted(8, 4, 2, 2, 1)) {
      case 0 -> g.pick(NASTY);
      case 1 -> g.chars('\u0000', '\uffff', 0, 40);   // any BMP chars
      case 2 -> g.codePoints(20);                     // any code points
      case 3 -> g.chars("+0123456789\n\r ", 7, 18);   // phone-like
      default -> "x".repeat(g.between(1_000, 80_000)); // huge
    };
  }

  /** A JSON string literal; every surrogate is written as a \\u escape, so a lone one reaches the parser as such. */
  static String jsonString(String s, boolean escapeAll) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') b.append("\\\"");
      else if (c == '\\') b.append("\\\\");
      else if (c < 0x20 || Character.isSurrogate(c) || escapeAll) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static final String[] NUMBERS = {"0", "-0", "1", "-1", "1.0", "1.5", "1e3", "1E12", "1e400", "-1e400", "1e-400", "0.1", "100", "1000000000000",
    "1000000000001", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999",
    "9".repeat(1200), "00", "+1", ".5", "NaN", "Infinity", "0x10"};
  static final String[] LITERALS = {"null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"a\":null}"};

  /** Any double: a random sign, mantissa and decimal exponent over the whole range of finite doubles. */
  static double anyDouble(Gen g) {
    double d = g.unit() * Math.pow(10, g.between(-324, 308));
    return g.pick(true, false) ? -d : d;
  }

  static String jsonValue(Gen g, int depth) {
    int which = depth <= 0 ? g.weighted(5, 4, 2, 1) : g.weighted(5, 4, 2, 1, 1, 1);
    return switch (which) {
      case 0 -> jsonString(nastyString(g), g.pick(false, false, false, true));
      case 1 -> switch (g.between(0, 2)) {
        case 0 -> g.pick(NUMBERS);
        case 1 -> String.valueOf(g.random.nextLong());
        default -> Double.toString(anyDouble(g));
      };
      case 2 -> g.pick(LITERALS);
      case 3 -> {
        int n = g.between(1, 3000);
        yield "[".repeat(n) + "]".repeat(n);
      }
      case 4 -> {
        List<String> items = new ArrayList<>();
        for (int i = g.between(0, 3); i > 0; i--) items.add(jsonValue(g, depth - 1));
        yield "[" + String.join(",", items) + "]";
      }
      default -> "{" + jsonString(nastyString(g), false) + ":" + jsonValue(g, depth - 1) + "}";
    };
  }

  /** Fields as raw JSON text, in order; a key may repeat. */
  record Fields(List<String[]> entries) {
    Fields with(String key, String rawValue) {
      List<String[]> copy = new ArrayList<>(entries);
      copy.removeIf(e -> e[0].equals(key));
      copy.add(new String[] {key, rawValue});
      return new Fields(copy);
    }

    Fields without(String key) {
      List<String[]> copy = new ArrayList<>(entries);
      copy.removeIf(e -> e[0].equals(key));
      return new Fields(copy);
    }

    Fields plus(String key, String rawValue) {
      List<String[]> copy = new ArrayList<>(entries);
      copy.add(new String[] {key, rawValue});
      return new Fields(copy);
    }

    String json() {
      return entries.stream().map(e -> jsonString(e[0], false) + ":" + e[1]).collect(Collectors.joining(",", "{", "}"));
    }
  }

  /** One mutation of the fields: set a (known or nasty) key to any value, remove a known key, or repeat one. */
  static Fields mutate(Gen g, Fields f, List<String> keys) {
    return switch (g.weighted(6, 2, 2)) {
      case 0 -> {
        String k = g.pick(true, false) ? g.pick(keys) : nastyString(g);
        yield f.with(k, jsonValue(g, 2));
      }
      case 1 -> f.without(g.pick(keys));
      default -> f.plus(g.pick(keys), jsonValue(g, 1));
    };
  }

  /** Between min and max mutations of the fields, as JSON text. */
  static String mutated(Gen g, Fields f, List<String> keys, int min, int max) {
    for (int i = g.between(min, max); i > 0; i--) f = mutate(g, f, keys);
    return f.json();
  }

  static final byte[][] POISON = {{(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {0}};

  /** The body as bytes, sometimes damaged below the JSON level. */
  static byte[] damaged(Gen g, Supplier<String> json) {
    return switch (g.weighted(12, 2, 1, 1, 1, 1)) {
      case 0 -> json.get().getBytes(StandardCharsets.UTF_8);
      case 1 -> {  // invalid UTF-8 somewhere
        byte[] b = json.get().getBytes(StandardCharsets.UTF_8);
        byte[] p = g.pick(POISON);
        int at = (int) (b.length * g.unit());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(p);
        out.write(b, at, b.length - at);
        yield out.toByteArray();
      }
      case 2 -> ("\ufeff" + json.get()).getBytes(StandardCharsets.UTF_8);
      case 3 -> json.get().getBytes(StandardCharsets.UTF_16);
      case 4 -> {  // truncated
        byte[] b = json.get().getBytes(StandardCharsets.UTF_8);
        yield Arrays.copyOf(b, (int) (b.length * g.unit()));
      }
      default -> g.bytes(0, 200);
    };
  }

  static final List<String> SMS_KEYS = List.of("message_id", "user_id", "phone_number", "message", "priority");

  static byte[] sendSmsBody(Gen g) {
    String uid = broke.getString("user_id");
    return damaged(g, () -> switch (g.weighted(20, 1, 1)) {
      case 0 -> {
        Fields f = new Fields(List.of()).plus("message_id", jsonString(UUID.randomUUID().toString(), false))  // fresh id for each try
          .plus("user_id", jsonString(uid, false)).plus("phone_number", "\"+989121234567\"").plus("message", "\"hello\"");
        if (g.pick(true, false)) f = f.plus("priority", "\"vip\"");
        yield mutated(g, f, SMS_KEYS, 0, 3);
      }
      case 1 -> sms(broke, "x").put("user_id", uid.toUpperCase(Locale.ROOT)).encode();
      default -> jsonValue(g, 2);
    });
  }

  static String jsonContentType(Gen g) {
    return g.weighted(10, 1) == 0 ? "application/json"
      : g.pick("application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=utf-16", "application/json; charset=\"latin1\"",
        "application/json;;", "application/json ; x=y");
  }

  /** An id spelled in one of the ways the contract and the code may disagree on, for a path segment. */
  static String pathId(Gen g, String id) {
    if (g.pick(true, false)) return percentEncode(nastyString(g));
    return g.pick(id, id.toUpperCase(Locale.ROOT), "urn:uuid:" + id, "%7B" + id + "%7D", id + "%0A", id + "%0D%0A", id + "%00", id + "%E2%80%A8",
      id + "/", id + "/.", "./" + id, "../balance/" + id, id.replace("-", ""), "1-2-3-4-5", "%35" + id.substring(1), id + "%", id + "%zz",
      id + "%C3%28", id + "%ED%A0%80", id + "?x=1", id + "#f", id + ";p=1", id.substring(0, 35), id + "0", "");
  }

  static String percentEncode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xFF;
      if (c > 0x20 && c < 0x7F && "%/?#\"<>\\^`{|} ".indexOf(c) < 0) b.append((char) c);
      else b.append('%').append(String.format(Locale.ROOT, "%02X", c));
    }
    return b.length() > 3000 ? b.substring(0, 3000) : b.toString();
  }

  static final List<String> TOP_UP_KEYS = List.of("amount", "topup_id");
  static final List<String> USER_KEYS = List.of("name", "balance");

  static Request otherOperation(Gen g) {
    String[] goodAdmin = {"Authorization", "Bearer " + TestGateway.ADMIN_TOKEN};
    List<String[]> badAdmin = g.pick(List.of(), one("Authorization", "Bearer wrong"),
      one("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN + "x"), one("Authorization", TestGateway.ADMIN_TOKEN),
      one("Authorization", "Basic " + TestGateway.ADMIN_TOKEN), one("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN.toUpperCase(Locale.ROOT)),
      one("X-API-Key", key(broke)));
    Supplier<String> id = () -> pathId(g, g.pick(broke.getString("user_id"), other.getString("user_id"), UUID.randomUUID().toString()));
    Supplier<byte[]> topUpBody = () -> damaged(g, () -> {
      Fields f = new Fields(List.of()).plus("amount", "100");
      if (g.pick(true, false)) f = f.plus("topup_id", jsonString(UUID.randomUUID().toString(), false));
      return mutated(g, f, TOP_UP_KEYS, 0, 3);
    });
    Supplier<byte[]> userBody = () -> damaged(g, () -> {
      Fields f = new Fields(List.of()).plus("name", "\"fuzz\"");
      if (g.pick(true, false)) f = f.plus("balance", "0");
      return mutated(g, f, USER_KEYS, 1, 3);
    });
    return switch (g.weighted(3, 3, 3, 2, 3, 2)) {
      case 0 -> new Request("balance", "GET", ("/balance/" + id.get()).getBytes(StandardCharsets.UTF_8),
        headers("X-API-Key", g.pick(key(broke), key(other), "sk_wrong", "")), null, Success.READ);
      case 1 -> new Request("message-status", "GET", ("/message-status/" + id.get()).getBytes(StandardCharsets.UTF_8),
        headers("X-API-Key", g.pick(key(broke), key(other))), null, Success.READ);
      // The valid token only for ids that are no user: a success there would credit nobody (the answer is 404).
      case 2 -> new Request("top-up as admin", "POST", ("/admin/users/" + pathId(g, UUID.randomUUID().toString()) + "/topup").getBytes(StandardCharsets.UTF_8),
        List.of(goodAdmin, new String[] {"Content-Type", "application/json"}), topUpBody.get(), Success.NEVER);
      case 3 -> {
        String path = "/admin/users/" + pathId(g, victim.getString("user_id")) + "/topup";
        List<String[]> h = new ArrayList<>(badAdmin);
        h.add(new String[] {"Content-Type", "application/json"});
        yield new Request("top-up without the token", "POST", path.getBytes(StandardCharsets.UTF_8), h, topUpBody.get(), Success.NEVER);
      }
      case 4 -> new Request("create user as admin", "POST", "/admin/users".getBytes(StandardCharsets.US_ASCII),
        List.of(goodAdmin, new String[] {"Content-Type", "application/json"}), userBody.get(), Success.CREATE_USER);
      default -> {
        List<String[]> h = new ArrayList<>(badAdmin);
        h.add(new String[] {"Content-Type", "application/json"});
        yield new Request("create user without the token", "POST", "/admin/users".getBytes(StandardCharsets.US_ASCII), h, userBody.get(), Success.NEVER);
      }
    };
  }

  static final String[] CONTENT_TYPES = {"application/json", "text/plain", "application/x-www-form-urlencoded", "", "application/jsonx",
    "application/json; charset=utf-16", "APPLICATION/JSON", "application/*", "*/*", "json", "application/json\u0000", "application/problem+json",
    "multipart/form-data; boundary=x", "application/json; charset=ebcdic", "\u00e9"};

  static List<String[]> headerVariant(Gen g) {
    String k = key(broke);
    String contentType = g.pick(CONTENT_TYPES);
    String apiKey = g.pick("", "sk_wrong", k + " ", " " + k, k.toUpperCase(Locale.ROOT), k + "\u00e9", k + "\u0000", "x".repeat(6000), "😀", k + "," + k);
    List<String[]> odd = g.pick(
      List.of(new String[] {"Content-Type", "application/json"}, new String[] {"Content-Type", "text/plain"}),
      List.of(new String[] {"Content-Type", "text/plain"}, new String[] {"Content-Type", "application/json"}),
      List.of(new String[] {"X-API-Key", "sk_wrong"}, new String[] {"X-API-Key", k}),
      List.of(new String[] {"X-API-Key", k}, new String[] {"X-API-Key", "sk_wrong"}),
      one("X-Filler", "y".repeat(9000)),
      one("X-Filler", "y".repeat(70_000)),
      one("Content-Encoding", "gzip"),
      one("Expect", "100-continue"),
      one("Expect", "nonsense"),
      one("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN),
      one("x-api-key", k),
      one("X-HTTP-Method-Override", "DELETE"),
      one("Accept", "text/html"),
      one("Content-Length", "5"),
      one("Content-Length", "-1"),
      one("Content-Length", "abc"));
    int which = g.between(0, 6);
    List<String[]> h = new ArrayList<>();
    // Most tries keep a valid key and type and vary one thing; some vary all at once.
    h.add(new String[] {"Content-Type", which == 1 || which == 6 ? contentType : "application/json"});
    h.add(new String[] {"X-API-Key", which == 2 || which == 6 ? apiKey : k});
    if (which >= 3) h.addAll(odd);
    return h;
  }

  static String method(Gen g) {
    return g.weighted(5, 3) == 0 ? g.pick("GET", "POST")
      : g.pick("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "get", "post", "PROPFIND", "FOO", "M-SEARCH", "BREW");
  }

  static final String[] ODD_PATHS = {"*", "http://127.0.0.1/admin/users", "//admin/users", "/admin/users?x=/../", "/%2e%2e/admin/users",
    "/send-sms%00", "send-sms", "/ send-sms", "/send-sms\t", "/admin/users#", "/admin/users/", "/admin//users", "/ADMIN/USERS"};

  /** Each operation with its natural body, in another spelling, sometimes with another method; never the admin token. */
  static Request spelledRequest(Gen g) {
    String uid = broke.getString("user_id");
    byte[] smsBody = sms(broke, "hi").encode().getBytes(StandardCharsets.UTF_8);
    byte[] userBody = "{\"name\":\"fuzz\",\"balance\":1000000}".getBytes(StandardCharsets.UTF_8);
    byte[] topUpBody = "{\"amount\":1000000}".getBytes(StandardCharsets.UTF_8);
    List<Object[]> routes = List.of(new Object[] {"POST", "/send-sms", smsBody}, new Object[] {"GET", "/balance/" + uid, null},
      new Object[] {"GET", "/message-status/" + UUID.randomUUID(), null}, new Object[] {"POST", "/admin/users", userBody},
      new Object[] {"POST", "/admin/users/" + victim.getString("user_id") + "/topup", topUpBody}, new Object[] {"GET", "/health/live", null},
      new Object[] {"GET", "/health/ready", null}, new Object[] {"GET", "/metrics", null}, new Object[] {"GET", "/swagger/index.html", null},
      new Object[] {"GET", "/", null}, new Object[] {"GET", "/nope", null});
    Object[] route = g.pick(routes);
    int how = g.between(0, 15);
    int where = g.between(0, 100);
    String m = g.weighted(8, 2) == 0 ? "" : method(g);
    List<String[]> creds = credentials(g);
    String oddPath = switch (g.weighted(12, 1, 1, 1)) {
      case 0 -> "";
      case 1 -> "/" + percentEncode(nastyString(g));
      case 2 -> "/balance/" + "a".repeat(g.between(2_000, 20_000));
      default -> g.pick(ODD_PATHS);
    };
    String target = oddPath.isEmpty() ? respell((String) route[1], how, where) : oddPath;
    String verb = m.isEmpty() ? (String) route[0] : m;
    byte[] body = (byte[]) route[2];
    List<String[]> headers = new ArrayList<>(creds);
    if (body != null) headers.add(new String[] {"Content-Type", "application/json"});
    boolean read = verb.equals("GET") || verb.equals("HEAD");
    return new Request("path and method", verb, target.getBytes(StandardCharsets.UTF_8), headers, body, read ? Success.READ : Success.NEVER);
  }

  /** The same route in another spelling: percent-encoded letters, repeated slashes, dot segments, case, suffixes. */
  static String respell(String path, int how, int where) {
    if (path.length() < 2) return path + (how % 2 == 0 ? "/" : "%2F");
    int at = 1 + where % (path.length() - 1);
    return switch (how) {
      case 0 -> path.substring(0, at) + String.format(Locale.ROOT, "%%%02X", (int) path.charAt(at)) + path.substring(at + 1);
      case 1 -> path.substring(0, at) + String.format(Locale.ROOT, "%%%02x", (int) path.charAt(at)) + path.substring(at + 1);
      case 2 -> path.replace("/", "//");
      case 3 -> "/x/.." + path;
      case 4 -> path.replaceFirst("/", "/./");
      case 5 -> path + "/";
      case 6 -> path.toUpperCase(Locale.ROOT);
      case 7 -> path + "?a=b&c";
      case 8 -> path + ";jsessionid=1";
      case 9 -> path.replace("/", "%2F");
      case 10 -> path.replace("/", "\\");
      case 11 -> "/%2e" + path;
      case 12 -> path + "%00";
      case 13 -> path.replaceFirst("/", "/%2e%2e/");
      case 14 -> path;
      default -> path + "#frag";
    };
  }

  static List<String[]> credentials(Gen g) {
    // Never the admin token: admin operations must all be refused here, whatever the spelling.
    return g.pick(List.of(), one("X-API-Key", key(broke)), one("X-API-Key", "sk_wrong"),
      one("Authorization", "Bearer wrong"), one("Authorization", "Bearer "));
  }

  static byte[] rawRequest(Gen g) {
    String k = key(broke);
    String body = sms(broke, "raw").encode();
    switch (g.weighted(3, 1, 1)) {
      case 0 -> {
        return g.pick(
          "GET /health/live HTTP/1.0\r\n\r\n",
          "GET /health/live\r\n\r\n",
          "GET /health/live HTTP/9.9\r\nHost: x\r\n\r\n",
          "GET /health/live HTTP/1.1\r\n\r\n",
          "GET  /health/live  HTTP/1.1\r\nHost: x\r\n\r\n",
          "GET /health/live HTTP/1.1\nHost: x\n\n",
          "GET http://127.0.0.1/balance/" + broke.getString("user_id") + " HTTP/1.1\r\nHost: x\r\nX-API-Key: " + k + "\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
          "\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
          "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + k + "\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n",
          "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + k + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + k + "\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
          "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + k + "\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
          "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + k + "\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
          "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + k + "\r\nContent-Length: 1000000\r\n\r\n{}",
          "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n".repeat(2_000) + "\r\n",
          "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
          "GET /health/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8);
      }
      case 1 -> {  // a line of noise
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(g.bytes(1, 300));
        out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
      }
      default -> {  // noise in a header value
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Noise: ".getBytes(StandardCharsets.ISO_8859_1));
        for (byte x : g.bytes(1, 100)) out.write(x == '\r' || x == '\n' ? 'x' : x);
        out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
      }
    }
  }
}
