package io.smsgw.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no client library would send: any bytes in the request line, the
 * headers and the body. One connection per exchange; reads exactly one answer (Content-Length, chunked, or to EOF).
 */
public final class FuzzHttp {

  /** One answer; header names in lower case (the last value of a repeated header). */
  public record Answer(int status, Map<String, String> headers, byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final int port;

  public FuzzHttp(int port) {
    this.port = port;
  }

  /** @throws IOException when the gateway closes the connection (or times out) without a complete answer */
  public Answer exchange(byte[] request, boolean head) throws IOException {
    return exchange(request, head, 5_000);
  }

  public Answer exchange(byte[] request, boolean head, int readTimeoutMs) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(readTimeoutMs);
      socket.setTcpNoDelay(true);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException closedEarly) {
        // the gateway may answer and close before it read everything (413, 431): read what it said
      }
      InputStream in = socket.getInputStream();
      while (true) {
        byte[] start = in.readNBytes(5);
        if (start.length == 0) throw new IOException("connection closed without an answer");
        if (!new String(start, StandardCharsets.ISO_8859_1).equals("HTTP/")) {
          return new Answer(0, Map.of(), start);  // not HTTP/1 (an HTTP/2 preface answered with frames)
        }
        String head_ = "HTTP/" + readHead(in);
        String[] lines = head_.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status = Integer.parseInt(statusLine[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        if (status == 101) return new Answer(status, headers, new byte[0]);  // switched protocols (h2c)
        if (status >= 100 && status < 200) continue;
        byte[] body;
        if (head || status == 204 || status == 304) {
          body = new byte[0];
        } else if (headers.containsKey("content-length")) {
          body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
          body = readChunked(in);
        } else {
          body = in.readAllBytes();
        }
        return new Answer(status, headers, body);
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("connection closed after " + head.size() + " bytes of an answer");
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
      if (n == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(n));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') line.write(b);
    }
    if (b < 0) throw new IOException("connection closed inside a chunked body");
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
