package io.smsgw.testing;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests a normal client would not send: the request target goes out byte
 * for byte as given ({@code //admin/users}, {@code /x/../admin}, {@code /%61dmin}), and the body can be
 * withheld or streamed.
 */
public final class RawHttp {

  private RawHttp() {
  }

  /** An answer: status, headers (lower-case names) and body. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public boolean isJsonError() {
      try {
        return headers.getOrDefault("content-type", "").startsWith("application/json")
          && new JsonObject(body).getJsonObject("error").getString("code") != null;
      } catch (RuntimeException e) {
        return false;
      }
    }
  }

  /** One request with {@code Connection: close}; {@code headers} as "Name: value" lines. */
  public static Answer send(int port, String method, String target, Map<String, String> headers, String body) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      if (body != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
      return read(socket.getInputStream());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + target, e);
    }
  }

  /** Reads one answer until the server closes the connection or the Content-Length is read. */
  public static Answer read(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int headEnd = -1;
    int contentLength = -1;
    byte[] chunk = new byte[8192];
    while (true) {
      int n = in.read(chunk);
      if (n < 0) break;
      buffer.write(chunk, 0, n);
      byte[] all = buffer.toByteArray();
      if (headEnd < 0) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        headEnd = text.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
          for (String line : text.substring(0, headEnd).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) contentLength = Integer.parseInt(line.substring(15).trim());
          }
        }
      }
      if (headEnd >= 0 && contentLength >= 0 && all.length >= headEnd + 4 + contentLength) break;
    }
    String text = buffer.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) throw new java.io.EOFException("no answer: '" + text + "'");
    String[] lines = text.substring(0, end).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
  }
}
