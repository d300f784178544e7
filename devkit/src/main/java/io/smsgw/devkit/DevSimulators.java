package io.smsgw.devkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import io.smsgw.devkit.simulator.smpp.SmscSimulator;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The provider simulators of {@code ./smsgw dev}, and a control endpoint on the loopback interface to stop and start
 * each of them: an outage on demand, to watch the routes fail over. {@code GET /simulators} shows each one, running
 * or not, with its counters (kept across a stop and a start); {@code POST /simulators/{http|smpp}/{stop|start}}.
 * A stopped HTTP simulator refuses connections; a stopped SMSC closes its sessions and refuses binds.
 */
public final class DevSimulators implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DevSimulators.class);

  private final GatewayConfig config;
  private final ProviderSimulatorState httpState = new ProviderSimulatorState();
  private final boolean hasHttp;
  private final SmscSimulator smsc;
  private ProviderSimulator http;
  private HttpServer control;

  private DevSimulators(GatewayConfig config, boolean hasHttp, SmscSimulator smsc) {
    this.config = config;
    this.hasHttp = hasHttp;
    this.smsc = smsc;
  }

  /** Starts the HTTP simulator if the environment runs one (the SMSC, if any, the environment started). */
  public static DevSimulators start(DevEnvironment dev) throws Exception {
    DevSimulators simulators = new DevSimulators(dev.config(), dev.runsSimulator(), dev.smsc());
    try {
      if (simulators.hasHttp) simulators.startHttp();
      simulators.serveControl();
    } catch (Exception e) {
      simulators.close();
      throw e;
    }
    return simulators;
  }

  /** Where the control endpoint listens: {@code http://127.0.0.1:<port>/simulators}. */
  public String controlUrl() {
    return "http://127.0.0.1:" + control.getAddress().getPort() + "/simulators";
  }

  private synchronized void startHttp() throws Exception {
    if (http == null) http = ProviderSimulator.start(config, httpState);
  }

  private synchronized void stopHttp() {
    if (http != null) http.close();
    http = null;
  }

  private synchronized JsonObject view() {
    JsonObject out = new JsonObject();
    if (hasHttp) {
      out.put("http", new JsonObject().put("running", http != null).put("url", config.provider().url()).put("stats", httpState.stats()));
    }
    if (smsc != null) {
      out.put("smpp", new JsonObject().put("running", smsc.running()).put("url", "smpp://127.0.0.1:" + smsc.port())
        .put("stats", smsc.stats().toJson()));
    }
    return out;
  }

  private void serveControl() throws IOException {
    control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    control.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "dev-simulators-control");
      t.setDaemon(true);
      return t;
    }));
    control.createContext("/simulators", this::handle);
    control.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String[] path = exchange.getRequestURI().getPath().replaceAll("/+$", "").split("/");
    String method = exchange.getRequestMethod();
    try {
      if (path.length == 2 && "GET".equals(method)) {
        answer(exchange, 200, view());
        return;
      }
      if (path.length == 4 && "POST".equals(method) && (path[3].equals("stop") || path[3].equals("start"))) {
        boolean stop = path[3].equals("stop");
        if (path[2].equals("http") && hasHttp) {
          if (stop) stopHttp();
          else startHttp();
        } else if (path[2].equals("smpp") && smsc != null) {
          if (stop) smsc.stop();
          else smsc.start();
        } else {
          answer(exchange, 404, new JsonObject().put("error", "no simulator " + path[2] + " here"));
          return;
        }
        LOG.info("dev: {} simulator {}", path[2], stop ? "stopped" : "started");
        answer(exchange, 200, view());
        return;
      }
      answer(exchange, 404, new JsonObject().put("error", "GET /simulators, POST /simulators/{http|smpp}/{stop|start}"));
    } catch (Exception e) {
      answer(exchange, 500, new JsonObject().put("error", e.toString()));
    }
  }

  private static void answer(HttpExchange exchange, int status, JsonObject body) throws IOException {
    byte[] bytes = body.encodePrettily().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops the control endpoint and the HTTP simulator (the environment closes the SMSC). */
  @Override
  public void close() {
    if (control != null) control.stop(0);
    stopHttp();
  }
}
