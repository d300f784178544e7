package io.smsgw.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The e2e load from {@code wrk} with a Lua script, in its own process, as {@code ../shared/peers/kannel-bench.sh}
 * drives Kannel: closed loop over a fixed number of keep-alive connections, so it finds the ceiling rather than
 * holding a rate. The JVM generator ({@link OpenLoopLoad}) shares this JVM's cores and its HTTP client's cost with the
 * service; this one is C, outside the JVM, and its CPU (its process handle) is counted apart from the service's. Same mix as
 * {@link TrafficMix}: 80% GSM-7, 20% Persian, 5% VIP, users in turn, a unique message id per request.
 */
final class WrkLoad {

  /** What wrk's Lua {@code done()} printed: answers by status, wrk's own duration and latency percentiles. */
  record Result(long ok, long other, String otherStatuses, double seconds, double p50Ms, double p99Ms, double p999Ms,
                double maxMs, long socketErrors) {
  }

  private static final Pattern LINE = Pattern.compile("^wrk-result (.*)$", Pattern.MULTILINE);

  private final Path script;
  private final String url;
  private Process process;

  private WrkLoad(Path script, String url) {
    this.script = script;
    this.url = url;
  }

  /** The script for {@code users} (each with user_id and api_key), against the gateway on {@code port}. */
  static WrkLoad prepare(List<JsonObject> users, int port) throws IOException {
    if (!onPath("wrk")) {
      throw new IllegalStateException("--driver wrk needs wrk on the PATH (Debian: apt-get install -y wrk; "
        + "../shared/peers/kannel-bench.sh installs it too)");
    }
    StringBuilder lua = new StringBuilder();
    lua.append("-- written by ./smsgw bench e2e --driver wrk (WrkLoad.java)\n");
    // A prefix per run, so that ids never meet an earlier run's.
    lua.append("local run = \"").append(String.format("%08x", ThreadLocalRandom.current().nextInt())).append("\"\n");
    lua.append("local users = {\n");
    for (JsonObject u : users) {
      lua.append("  {\"").append(u.getString("user_id")).append("\", \"").append(u.getString("api_key")).append("\"},\n");
    }
    lua.append("}\n");
    lua.append("""
      local gsm = {
        {"Your code is ", ". It expires in 2 minutes."},
        {"Dear customer, your order ", " has shipped and will arrive tomorrow between 9:00 and 12:00."},
        {"Payment of 1,250,000 IRR received. Ref ", ". Thank you for your purchase!"}}
      local persian = {
        {"کد تایید شما ", " است"},
        {"مشتری گرامی، سفارش ", " شما ارسال شد و فردا تحویل داده می‌شود. با تشکر از خرید شما"}}
      local threads = {}
      local next_tid = 0

      function setup(thread)
        thread:set("tid", next_tid)
        next_tid = next_tid + 1
        table.insert(threads, thread)
      end

      function init(args)
        n = 0
        ok = 0
        other = 0
        s400, s429, s503, sother = 0, 0, 0, 0
      end

      function request()
        n = n + 1
        -- i runs over every thread's requests without meeting another thread's
        local i = n * 16 + tid
        local u = users[i % #users + 1]
        local text
        if i % 5 == 4 then text = persian[i % #persian + 1] else text = gsm[i % #gsm + 1] end
        local priority = "normal"
        if i % 20 == 3 then priority = "vip" end
        local body = '{"message_id":"' .. run .. string.format("-%04x-4000-8000-%012x", tid, n)
          .. '","user_id":"' .. u[1]
          .. '","phone_number":"+98912' .. string.format("%07d", i % 10000000)
          .. '","message":"' .. text[1] .. (100000 + i % 900000) .. text[2]
          .. '","priority":"' .. priority .. '"}'
        return wrk.format("POST", "/send-sms", {["Content-Type"] = "application/json", ["X-API-Key"] = u[2]}, body)
      end

      function response(status, headers, body)
        if status == 200 then
          ok = ok + 1
        else
          other = other + 1
          if status == 400 then s400 = s400 + 1
          elseif status == 429 then s429 = s429 + 1
          elseif status == 503 then s503 = s503 + 1
          else sother = sother + 1 end
        end
      end

      function done(summary, latency, requests)
        local good, bad, c400, c429, c503, cother = 0, 0, 0, 0, 0, 0
        for _, t in ipairs(threads) do
          good = good + t:get("ok")
          bad = bad + t:get("other")
          c400 = c400 + t:get("s400")
          c429 = c429 + t:get("s429")
          c503 = c503 + t:get("s503")
          cother = cother + t:get("sother")
        end
        local e = summary.errors
        io.write(string.format("wrk-result ok=%d other=%d s400=%d s429=%d s503=%d sother=%d duration_us=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d socket_errors=%d\\n",
          good, bad, c400, c429, c503, cother, summary.duration, latency:percentile(50), latency:percentile(99),
          latency:percentile(99.9), latency.max, e.connect + e.read + e.write + e.timeout))
      end
      """);
    Path script = Files.createTempFile("smsgw-e2e-", ".lua");
    Files.writeString(script, lua, StandardCharsets.UTF_8);
    script.toFile().deleteOnExit();
    return new WrkLoad(script, "http://127.0.0.1:" + port);
  }

  /** Starts wrk for {@code seconds} over {@code connections} connections and {@code threads} threads. */
  void start(int threads, int connections, double seconds) throws IOException {
    process = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + Math.round(seconds) + "s",
      "--timeout", "30s", "--latency", "-s", script.toString(), url)
      .redirectErrorStream(true).start();
  }

  /** wrk's CPU so far (user + system); 0 before it started or once it has exited (sample it while it runs). */
  double cpuMs() {
    return process == null ? 0 : process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6;
  }

  /** Waits for wrk to end and reads its result line. */
  Result await() throws IOException, InterruptedException {
    byte[] out;
    try (var in = process.getInputStream()) {
      out = in.readAllBytes();
    }
    process.waitFor();
    String text = new String(out, StandardCharsets.UTF_8);
    Matcher m = LINE.matcher(text);
    if (process.exitValue() != 0 || !m.find()) {
      throw new IllegalStateException("wrk failed (exit " + process.exitValue() + "):\n" + text);
    }
    JsonObject f = new JsonObject();
    for (String kv : m.group(1).trim().split(" ")) {
      String[] p = kv.split("=", 2);
      f.put(p[0], Long.parseLong(p[1]));
    }
    String others = "400: " + f.getLong("s400") + ", 429: " + f.getLong("s429") + ", 503: " + f.getLong("s503")
      + ", other: " + f.getLong("sother");
    return new Result(f.getLong("ok"), f.getLong("other"), others, f.getLong("duration_us") / 1e6,
      f.getLong("p50_us") / 1000.0, f.getLong("p99_us") / 1000.0, f.getLong("p999_us") / 1000.0, f.getLong("max_us") / 1000.0,
      f.getLong("socket_errors"));
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) return true;
    }
    return false;
  }
}
