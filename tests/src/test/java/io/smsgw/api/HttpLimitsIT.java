package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.RawHttp;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Slow and oversized requests: 408 or closed in time, 413 before the body is buffered, with or without credentials")
class HttpLimitsIT {

  static final int REQUEST_TIMEOUT_MS = 1500;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_HTTP_REQUEST_TIMEOUT_MS", String.valueOf(REQUEST_TIMEOUT_MS), "SMSGW_HTTP_IDLE_TIMEOUT_S", "3"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  Socket open() throws Exception {
    Socket socket = new Socket("127.0.0.1", gateway.config.http().port());
    socket.setSoTimeout(REQUEST_TIMEOUT_MS + 4000);
    return socket;
  }

  static void write(OutputStream out, String text) throws Exception {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads until the server closes; true if it did within the socket timeout. */
  static boolean closedByServer(InputStream in) throws Exception {
    try {
      while (in.read() >= 0) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Test
  @DisplayName("A Content-Length over 64 KiB is 413 at once, before any body byte is sent, without credentials")
  void contentLengthTooLarge() throws Exception {
    try (Socket socket = open()) {
      long start = System.nanoTime();
      write(socket.getOutputStream(), "POST /send-sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 10000000\r\n\r\n");
      RawHttp.Answer answer = RawHttp.read(socket.getInputStream());
      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.isJsonError()).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms to the 413").isLessThan(REQUEST_TIMEOUT_MS);
    }
  }

  @Test
  @DisplayName("A chunked body growing over 64 KiB is 413 while it streams (the last chunk never sent)")
  void chunkedTooLarge() throws Exception {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      write(out, "POST /admin/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "x".repeat(8192);
      for (int i = 0; i < 10; i++) write(out, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      RawHttp.Answer answer = RawHttp.read(socket.getInputStream());
      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.isJsonError()).isTrue();
    }
  }

  @Test
  @DisplayName("A head sent a byte at a time (each gap shorter than the idle timeout) is cut off after the request timeout")
  void slowHead() throws Exception {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      long start = System.nanoTime();
      String head = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(100);
      boolean cut = false;
      for (char c : head.toCharArray()) {
        try {
          write(out, String.valueOf(c));
        } catch (java.io.IOException closed) {
          cut = true;
          break;
        }
        if ((System.nanoTime() - start) / 1_000_000 > REQUEST_TIMEOUT_MS + 3000) break;
        Thread.sleep(200);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      socket.setSoTimeout(500);
      assertThat(cut || closedByServer(socket.getInputStream())).as("the connection closed by the server").isTrue();
      assertThat(ms).as("ms until cut off").isLessThan(REQUEST_TIMEOUT_MS + 2500);
    }
  }

  @Test
  @DisplayName("A body that stops half way is answered 408 request_timeout, and the connection closed")
  void slowBody() throws Exception {
    try (Socket socket = open()) {
      long start = System.nanoTime();
      write(socket.getOutputStream(), "POST /admin/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + TestGateway.ADMIN_TOKEN + "\r\nContent-Length: 100\r\n\r\n{\"name\":");
      RawHttp.Answer answer = RawHttp.read(socket.getInputStream());
      assertThat(answer.status()).isEqualTo(408);
      assertThat(answer.isJsonError()).isTrue();
      assertThat(answer.body()).contains("request_timeout");
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween((long) REQUEST_TIMEOUT_MS - 100, REQUEST_TIMEOUT_MS + 2000L);
      assertThat(closedByServer(socket.getInputStream())).isTrue();
    }
  }

  @Test
  @DisplayName("A connection that sends nothing is closed after the request timeout")
  void silentConnection() throws Exception {
    try (Socket socket = open()) {
      long start = System.nanoTime();
      assertThat(closedByServer(socket.getInputStream())).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(REQUEST_TIMEOUT_MS + 2500);
    }
  }
}
