package io.smsgw.http;

import io.smsgw.testing.Db;
import io.smsgw.testing.FuzzHttp;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of the running gateway (jqwik): mutated bodies, field types, unicode edge cases (NUL, lone
 * surrogates, RTL and combining marks, emoji, huge strings), invalid UTF-8, header variants, path spellings and
 * methods, raw malformed HTTP, over a plain socket. Every answer must be below 500 and, unless it is a 2xx, a JSON
 * error with a catalogue code. The sending user's balance is 0, so even a mutation that happens to be valid is a
 * 400 insufficient_balance: nothing may be charged or stored, and the money invariants hold after.
 * Admin operations get no valid token except where success cannot move money (user creation; top-ups of ids
 * that do not exist). The figures (requests by status) are printed at the end.
 */
class FuzzTest {

  private static final Set<String> CATALOGUE = Arrays.stream(ApiError.values()).map(ApiError::code).collect(Collectors.toSet());
  private static final int MAX_EXAMPLES = 3;

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

  @BeforeContainer
  static void start() throws Exception {
    started = System.nanoTime();
    gateway = TestGateway.start();
    http = new FuzzHttp(gateway.config.httpPort());
    broke = gateway.createUser(0);
    other = gateway.createUser(0);
    victim = gateway.createUser(0);
    messagesBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages");
    chargesBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind <> 'topup'");
    topupsBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'topup'");
    usersBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM users");
  }

  @AfterContainer
  static void stop() {
    try {
      long requests = byStatus.values().stream().mapToLong(AtomicLong::get).sum();
      System.out.printf(Locale.ROOT, "FUZZ %d requests in %.1f s (with the gateway's start); by property %s; by status %s; users created %d%n",
        requests, (System.nanoTime() - started) / 1e9, new TreeMap<>(byProperty), new TreeMap<>(byStatus), created.get());
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

  @AfterProperty
  void noViolation() {
    List<String> mine;
    synchronized (violations) {
      mine = violations.entrySet().stream().filter(e -> e.getKey().startsWith(property + " "))
        .map(e -> e.getKey() + "\n      " + String.join("\n      ", e.getValue())).toList();
    }
    assertThat(mine).as("fuzz violations of " + property).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------- properties

  @Property(tries = 3500, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
  void sendSmsBodies(@ForAll("sendSmsBody") byte[] body, @ForAll("jsonContentType") String contentType) {
    property = "sendSmsBodies";
    check(new Request("send-sms body", "POST", "/send-sms".getBytes(StandardCharsets.US_ASCII),
      headers("Content-Type", contentType, "X-API-Key", key(broke)), body, Success.NEVER));
  }

  @Property(tries = 2500, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
  void otherOperations(@ForAll("otherOperation") Request request) {
    property = "otherOperations";
    check(request);
  }

  @Property(tries = 1500, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
  void headers(@ForAll("headerVariant") List<String[]> headers) {
    property = "headers";
    byte[] body = sms(broke, "hello").encode().getBytes(StandardCharsets.UTF_8);
    check(new Request("send-sms headers", "POST", "/send-sms".getBytes(StandardCharsets.US_ASCII), headers, body, Success.NEVER));
  }

  @Property(tries = 1500, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
  void pathsAndMethods(@ForAll("spelledRequest") Request request) {
    property = "pathsAndMethods";
    check(request);
  }

  @Property(tries = 1000, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
  void rawRequests(@ForAll("rawRequest") byte[] raw) {
    property = "rawRequests";
    check(new Request("raw", "", new byte[0], List.of(), null, Success.READ, raw));
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
  static Arbitrary<String> nastyString() {
    String id = "5a0a3c1e-8a2b-4c9e-9f1d-3b6f0e2a7c11";
    Arbitrary<String> fixed = Arbitraries.of("", " ", "\u0000", "a\u0000b", "\ud800", "\udc00", "a\ud83d", "\ude00\ud83d", "\u200f",
      "\u202e", "\u200fسلام\u200e", "e\u0301\u0301\u0301", "😀", "👨‍👩‍👧‍👦", "\ufeff", "\uffff", "\ufffe", "\u2028", "\u2029", "\n", "\r\n", "\t",
      "\f", "\u000b", "\u001b", "\u0085", "\u007f", "\u009f", "+989121234567", "+989121234567\n", "+989121234567\r\n", "+989121234567\u2028",
      "+٩٨٩١٢١٢٣٤٥٦٧", "+98 912 123 4567", id, id.toUpperCase(Locale.ROOT), "urn:uuid:" + id, "{" + id + "}", id + "\n", "1-2-3-4-5",
      id.replace("-", ""), "normal", "vip", "VIP", "null", "true", "0", "-1", "1e400", "9".repeat(40), "€".repeat(766), "a".repeat(1530),
      "a".repeat(1531), "ب".repeat(671), "😀".repeat(766), "%00", "%2e%2e", "../", "\\", "\"", "'; DROP TABLE users; --", "${jndi:ldap://x}");
    Arbitrary<String> anyBmp = Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(40);
    Arbitrary<String> anyCodePoints = Arbitraries.strings().all().ofMaxLength(20);
    Arbitrary<String> phoneLike = Arbitraries.strings().withChars("+0123456789\n\r ").ofMinLength(7).ofMaxLength(18);
    Arbitrary<String> huge = Arbitraries.integers().between(1_000, 80_000).map(n -> "x".repeat(n));
    return Arbitraries.frequencyOf(Tuple.of(8, fixed), Tuple.of(4, anyBmp), Tuple.of(2, anyCodePoints), Tuple.of(2, phoneLike), Tuple.of(1, huge));
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

  static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> strings = Combinators.combine(nastyString(), Arbitraries.of(false, false, false, true)).as(FuzzTest::jsonString);
    Arbitrary<String> numbers = Arbitraries.oneOf(
      Arbitraries.of("0", "-0", "1", "-1", "1.0", "1.5", "1e3", "1E12", "1e400", "-1e400", "1e-400", "0.1", "100", "1000000000000",
        "1000000000001", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999",
        "9".repeat(1200), "00", "+1", ".5", "NaN", "Infinity", "0x10"),
      Arbitraries.longs().map(String::valueOf), Arbitraries.doubles().map(d -> Double.toString(d)));
    Arbitrary<String> literals = Arbitraries.of("null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"a\":null}");
    Arbitrary<String> nested = Arbitraries.integers().between(1, 3000).map(n -> "[".repeat(n) + "]".repeat(n));
    if (depth <= 0) return Arbitraries.frequencyOf(Tuple.of(5, strings), Tuple.of(4, numbers), Tuple.of(2, literals), Tuple.of(1, nested));
    Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = Combinators.combine(nastyString(), jsonValue(depth - 1)).as((k, v) -> "{" + jsonString(k, false) + ":" + v + "}");
    return Arbitraries.frequencyOf(Tuple.of(5, strings), Tuple.of(4, numbers), Tuple.of(2, literals), Tuple.of(1, nested), Tuple.of(1, array),
      Tuple.of(1, object));
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

  interface Mutation {
    Fields apply(Fields fields);
  }

  static Arbitrary<Mutation> mutation(List<String> keys) {
    Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of(keys), nastyString());
    Arbitrary<Mutation> set = Combinators.combine(key, jsonValue(2)).as((k, v) -> f -> f.with(k, v));
    Arbitrary<Mutation> remove = Arbitraries.of(keys).map(k -> f -> f.without(k));
    Arbitrary<Mutation> duplicate = Combinators.combine(Arbitraries.of(keys), jsonValue(1)).as((k, v) -> f -> f.plus(k, v));
    return Arbitraries.frequencyOf(Tuple.of(6, set), Tuple.of(2, remove), Tuple.of(2, duplicate));
  }

  /** The body as bytes, sometimes damaged below the JSON level. */
  static Arbitrary<byte[]> damaged(Arbitrary<String> json) {
    Arbitrary<byte[]> plain = json.map(s -> s.getBytes(StandardCharsets.UTF_8));
    byte[][] poison = {{(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {0}};
    Arbitrary<byte[]> invalidUtf8 = Combinators.combine(json, Arbitraries.of(poison), Arbitraries.doubles().between(0, 1)).as((s, p, where) -> {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int at = (int) (b.length * where);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(b, 0, at);
      out.writeBytes(p);
      out.write(b, at, b.length - at);
      return out.toByteArray();
    });
    Arbitrary<byte[]> bom = json.map(s -> ("\ufeff" + s).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> utf16 = json.map(s -> s.getBytes(StandardCharsets.UTF_16));
    Arbitrary<byte[]> truncated = Combinators.combine(json, Arbitraries.doubles().between(0, 1))
      .as((s, where) -> Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), (int) (s.getBytes(StandardCharsets.UTF_8).length * where)));
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    return Arbitraries.frequencyOf(Tuple.of(12, plain), Tuple.of(2, invalidUtf8), Tuple.of(1, bom), Tuple.of(1, utf16), Tuple.of(1, truncated),
      Tuple.of(1, noise));
  }

  @Provide
  Arbitrary<byte[]> sendSmsBody() {
    String uid = broke.getString("user_id");
    Arbitrary<Fields> base = Arbitraries.of(
      new Fields(List.of()).plus("message_id", jsonString(UUID.randomUUID().toString(), false)).plus("user_id", jsonString(uid, false))
        .plus("phone_number", "\"+989121234567\"").plus("message", "\"hello\""),
      new Fields(List.of()).plus("message_id", jsonString(UUID.randomUUID().toString(), false)).plus("user_id", jsonString(uid, false))
        .plus("phone_number", "\"+989121234567\"").plus("message", "\"hello\"").plus("priority", "\"vip\""));
    List<String> keys = List.of("message_id", "user_id", "phone_number", "message", "priority");
    Arbitrary<String> json = Combinators.combine(base, mutation(keys).list().ofMinSize(0).ofMaxSize(3))
      .as((fields, mutations) -> {
        Fields f = fields.with("message_id", jsonString(UUID.randomUUID().toString(), false));  // fresh id for each try
        for (Mutation m : mutations) f = m.apply(f);
        return f.json();
      });
    Arbitrary<String> special = Arbitraries.of(uid).map(u -> sms(broke, "x").put("user_id", u.toUpperCase(Locale.ROOT)).encode());
    return damaged(Arbitraries.frequencyOf(Tuple.of(20, json), Tuple.of(1, special), Tuple.of(1, jsonValue(2))));
  }

  @Provide
  Arbitrary<String> jsonContentType() {
    return Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("application/json")),
      Tuple.of(1, Arbitraries.of("application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=utf-16",
        "application/json; charset=\"latin1\"", "application/json;;", "application/json ; x=y")));
  }

  /** An id spelled in one of the ways the contract and the code may disagree on, for a path segment. */
  static Arbitrary<String> pathId(String id) {
    return Arbitraries.oneOf(
      Arbitraries.of(id, id.toUpperCase(Locale.ROOT), "urn:uuid:" + id, "%7B" + id + "%7D", id + "%0A", id + "%0D%0A", id + "%00", id + "%E2%80%A8",
        id + "/", id + "/.", "./" + id, "../balance/" + id, id.replace("-", ""), "1-2-3-4-5", "%35" + id.substring(1), id + "%", id + "%zz",
        id + "%C3%28", id + "%ED%A0%80", id + "?x=1", id + "#f", id + ";p=1", id.substring(0, 35), id + "0", ""),
      nastyString().map(FuzzTest::percentEncode));
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

  @Provide
  Arbitrary<Request> otherOperation() {
    String uid = broke.getString("user_id");
    String otherUid = other.getString("user_id");
    String[] goodAdmin = {"Authorization", "Bearer " + TestGateway.ADMIN_TOKEN};
    Arbitrary<List<String[]>> badAdmin = Arbitraries.of(List.of(), one("Authorization", "Bearer wrong"),
      one("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN + "x"), one("Authorization", TestGateway.ADMIN_TOKEN),
      one("Authorization", "Basic " + TestGateway.ADMIN_TOKEN), one("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN.toUpperCase(Locale.ROOT)),
      one("X-API-Key", key(broke)));
    Arbitrary<String> ids = Arbitraries.oneOf(pathId(uid), pathId(otherUid), pathId(UUID.randomUUID().toString()));

    Arbitrary<Request> balance = Combinators.combine(ids, Arbitraries.of(key(broke), key(other), "sk_wrong", ""))
      .as((id, k) -> new Request("balance", "GET", ("/balance/" + id).getBytes(StandardCharsets.UTF_8), headers("X-API-Key", k), null, Success.READ));
    Arbitrary<Request> status = Combinators.combine(ids, Arbitraries.of(key(broke), key(other)))
      .as((id, k) -> new Request("message-status", "GET", ("/message-status/" + id).getBytes(StandardCharsets.UTF_8), headers("X-API-Key", k), null,
        Success.READ));

    List<String> topUpKeys = List.of("amount", "topup_id");
    Arbitrary<byte[]> topUpBody = damaged(Combinators.combine(Arbitraries.of(new Fields(List.of()).plus("amount", "100"),
      new Fields(List.of()).plus("amount", "100").plus("topup_id", jsonString(UUID.randomUUID().toString(), false))), mutation(topUpKeys).list().ofMaxSize(3))
      .as((f, ms) -> {
        for (Mutation m : ms) f = m.apply(f);
        return f.json();
      }));
    // The valid token only for ids that are no user: a success there would credit nobody (the answer is 404).
    Arbitrary<Request> topUpAsAdmin = Combinators.combine(pathId(UUID.randomUUID().toString()), topUpBody)
      .as((id, body) -> new Request("top-up as admin", "POST", ("/admin/users/" + id + "/topup").getBytes(StandardCharsets.UTF_8),
        List.of(goodAdmin, new String[] {"Content-Type", "application/json"}), body, Success.NEVER));
    Arbitrary<Request> topUpWithout = Combinators.combine(pathId(victim.getString("user_id")), topUpBody, badAdmin).as((id, body, auth) -> {
      List<String[]> h = new ArrayList<>(auth);
      h.add(new String[] {"Content-Type", "application/json"});
      return new Request("top-up without the token", "POST", ("/admin/users/" + id + "/topup").getBytes(StandardCharsets.UTF_8), h, body, Success.NEVER);
    });

    List<String> userKeys = List.of("name", "balance");
    Arbitrary<byte[]> userBody = damaged(Combinators.combine(Arbitraries.of(new Fields(List.of()).plus("name", "\"fuzz\""),
      new Fields(List.of()).plus("name", "\"fuzz\"").plus("balance", "0")), mutation(userKeys).list().ofMinSize(1).ofMaxSize(3))
      .as((f, ms) -> {
        for (Mutation m : ms) f = m.apply(f);
        return f.json();
      }));
    Arbitrary<Request> createAsAdmin = userBody.map(body -> new Request("create user as admin", "POST", "/admin/users".getBytes(StandardCharsets.US_ASCII),
      List.of(goodAdmin, new String[] {"Content-Type", "application/json"}), body, Success.CREATE_USER));
    Arbitrary<Request> createWithout = Combinators.combine(userBody, badAdmin).as((body, auth) -> {
      List<String[]> h = new ArrayList<>(auth);
      h.add(new String[] {"Content-Type", "application/json"});
      return new Request("create user without the token", "POST", "/admin/users".getBytes(StandardCharsets.US_ASCII), h, body, Success.NEVER);
    });
    return Arbitraries.frequencyOf(Tuple.of(3, balance), Tuple.of(3, status), Tuple.of(3, topUpAsAdmin), Tuple.of(2, topUpWithout),
      Tuple.of(3, createAsAdmin), Tuple.of(2, createWithout));
  }

  @Provide
  Arbitrary<List<String[]>> headerVariant() {
    String k = key(broke);
    Arbitrary<List<String[]>> contentType = Arbitraries.of("application/json", "text/plain", "application/x-www-form-urlencoded", "", "application/jsonx",
        "application/json; charset=utf-16", "APPLICATION/JSON", "application/*", "*/*", "json", "application/json\u0000", "application/problem+json",
        "multipart/form-data; boundary=x", "application/json; charset=ebcdic", "\u00e9")
      .map(t -> List.<String[]>of(new String[] {"Content-Type", t}));
    Arbitrary<List<String[]>> keys = Arbitraries.of("", "sk_wrong", k + " ", " " + k, k.toUpperCase(Locale.ROOT), k + "\u00e9", k + "\u0000",
        "x".repeat(6000), "😀", k + "," + k)
      .map(v -> List.<String[]>of(new String[] {"X-API-Key", v}));
    Arbitrary<List<String[]>> odd = Arbitraries.of(
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
    return Combinators.combine(contentType, keys, odd, Arbitraries.integers().between(0, 6)).as((ct, ks, o, which) -> {
      List<String[]> h = new ArrayList<>();
      // Most tries keep a valid key and type and vary one thing; some vary all at once.
      h.addAll(which == 1 || which == 6 ? ct : List.<String[]>of(new String[] {"Content-Type", "application/json"}));
      h.addAll(which == 2 || which == 6 ? ks : List.<String[]>of(new String[] {"X-API-Key", k}));
      if (which >= 3) h.addAll(o);
      return h;
    });
  }

  static Arbitrary<String> method() {
    return Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of("GET", "POST")),
      Tuple.of(3, Arbitraries.of("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "get", "post", "PROPFIND", "FOO", "M-SEARCH", "BREW")));
  }

  /** Each operation with its natural body, in another spelling, sometimes with another method; never the admin token. */
  @Provide
  Arbitrary<Request> spelledRequest() {
    String uid = broke.getString("user_id");
    byte[] smsBody = sms(broke, "hi").encode().getBytes(StandardCharsets.UTF_8);
    byte[] userBody = "{\"name\":\"fuzz\",\"balance\":1000000}".getBytes(StandardCharsets.UTF_8);
    byte[] topUpBody = "{\"amount\":1000000}".getBytes(StandardCharsets.UTF_8);
    List<Object[]> routes = List.of(new Object[] {"POST", "/send-sms", smsBody}, new Object[] {"GET", "/balance/" + uid, null},
      new Object[] {"GET", "/message-status/" + UUID.randomUUID(), null}, new Object[] {"POST", "/admin/users", userBody},
      new Object[] {"POST", "/admin/users/" + victim.getString("user_id") + "/topup", topUpBody}, new Object[] {"GET", "/health/live", null},
      new Object[] {"GET", "/health/ready", null}, new Object[] {"GET", "/metrics", null}, new Object[] {"GET", "/swagger/index.html", null},
      new Object[] {"GET", "/", null}, new Object[] {"GET", "/nope", null});
    Arbitrary<String> path = Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 100))
      .as((how, where) -> how + ":" + where);
    Arbitrary<String> method = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("")), Tuple.of(2, method()));
    Arbitrary<String> odd = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just("")), Tuple.of(1, nastyString().map(x -> "/" + percentEncode(x))),
      Tuple.of(1, Arbitraries.integers().between(2_000, 20_000).map(n -> "/balance/" + "a".repeat(n))),
      Tuple.of(1, Arbitraries.of("*", "http://127.0.0.1/admin/users", "//admin/users", "/admin/users?x=/../", "/%2e%2e/admin/users",
        "/send-sms%00", "send-sms", "/ send-sms", "/send-sms\t", "/admin/users#", "/admin/users/", "/admin//users", "/ADMIN/USERS")));
    return Combinators.combine(Arbitraries.of(routes), path, method, credentials(), odd).as((route, how, m, creds, oddPath) -> {
      String[] hw = how.split(":");
      String target = oddPath.isEmpty() ? respell((String) route[1], Integer.parseInt(hw[0]), Integer.parseInt(hw[1])) : oddPath;
      String verb = m.isEmpty() ? (String) route[0] : m;
      byte[] body = (byte[]) route[2];
      List<String[]> headers = new ArrayList<>(creds);
      if (body != null) headers.add(new String[] {"Content-Type", "application/json"});
      boolean read = verb.equals("GET") || verb.equals("HEAD");
      return new Request("path and method", verb, target.getBytes(StandardCharsets.UTF_8), headers, body, read ? Success.READ : Success.NEVER);
    });
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

  Arbitrary<List<String[]>> credentials() {
    // Never the admin token: admin operations must all be refused here, whatever the spelling.
    return Arbitraries.of(List.of(), one("X-API-Key", key(broke)), one("X-API-Key", "sk_wrong"),
      one("Authorization", "Bearer wrong"), one("Authorization", "Bearer "));
  }

  @Provide
  Arbitrary<byte[]> rawRequest() {
    String k = key(broke);
    String body = sms(broke, "raw").encode();
    Arbitrary<String> lines = Arbitraries.of(
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
      "GET /health/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    Arbitrary<byte[]> fixed = lines.map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> noiseLine = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300).map(b -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(b);
      out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return out.toByteArray();
    });
    Arbitrary<byte[]> noisyHeader = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(100).map(b -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Noise: ".getBytes(StandardCharsets.ISO_8859_1));
      for (byte x : b) out.write(x == '\r' || x == '\n' ? 'x' : x);
      out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return out.toByteArray();
    });
    return Arbitraries.frequencyOf(Tuple.of(3, fixed), Tuple.of(1, noiseLine), Tuple.of(1, noisyHeader));
  }
}
