package io.smsgw.webhook;

import io.smsgw.config.WebhookSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The rules for a callback URL (a user's webhook, a message's status_callback), checked when it is registered and again
 * before every delivery (the name may resolve elsewhere by then: DNS rebinding):
 * <ul>
 *   <li>{@code https}, or {@code http} where {@code webhooks.allow_http} is on; at most {@link #MAX_LENGTH} characters;
 *       a host; no user info (credentials in a URL end up in logs); no fragment;</li>
 *   <li>the host resolves, and <em>every</em> address it resolves to is public: loopback only with
 *       {@code webhooks.allow_loopback}, private (10/8, 172.16/12, 192.168/16, 100.64/10 CGNAT, fc00::/7) only with
 *       {@code webhooks.allow_private}; link-local (169.254/16, cloud metadata; fe80::/10), multicast, broadcast,
 *       unspecified (0.0.0.0/8, ::) and reserved (240/4) never.</li>
 * </ul>
 * The name is resolved on a worker thread (the JVM's resolver blocks; /etc/hosts counts), never on an event loop, and the
 * delivery connects to the address that was checked, not to a second lookup. The dispatcher's instance ({@link
 * #remembering}) keeps a name's addresses for a few seconds: the worker-thread hop per event cost more than the POST to a
 * fast receiver, and a rebinding within that time changes nothing (the POST goes to an address that was checked).
 * Such an instance is confined to the event loop that uses it.
 */
public final class CallbackUrls {

  public static final int MAX_LENGTH = 2048;
  public static final String INVALID = "invalid_callback_url";
  public static final String NOT_ALLOWED = "callback_url_not_allowed";
  private static final long RESOLVE_TIMEOUT_MS = 5_000;

  private static final int MAX_REMEMBERED = 10_000;

  private final Vertx vertx;
  private final WebhookSettings settings;
  private final long rememberMs;
  private final Map<String, Lookup> remembered;

  /** A name's addresses and until when they are used without a new lookup. */
  private record Lookup(InetAddress[] addresses, long untilMs) {
  }

  /** Every check looks the name up (registration, status_callback on send). */
  public CallbackUrls(Vertx vertx, WebhookSettings settings) {
    this(vertx, settings, 0);
  }

  private CallbackUrls(Vertx vertx, WebhookSettings settings, long rememberMs) {
    this.vertx = vertx;
    this.settings = settings;
    this.rememberMs = rememberMs;
    this.remembered = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Lookup> eldest) {
        return size() > MAX_REMEMBERED;
      }
    };
  }

  /** Keeps each lookup for {@code rememberMs}; the rules are applied to the addresses on every check all the same. */
  public static CallbackUrls remembering(Vertx vertx, WebhookSettings settings, long rememberMs) {
    return new CallbackUrls(vertx, settings, rememberMs);
  }

  /** A URL that passed the rules: where to connect (the checked address) and what to ask for. */
  public record Target(URI uri, String host, int port, boolean ssl, InetAddress address) {
  }

  /** Why a URL is refused: {@code code} is {@link #INVALID} or {@link #NOT_ALLOWED}. */
  public static final class Refused extends RuntimeException {
    public final String code;

    Refused(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** What kind of address an IP is, for the rules above. */
  public enum Kind { PUBLIC, LOOPBACK, PRIVATE, NEVER }

  /** The syntax rules alone (no lookup); throws {@link Refused}. */
  public URI parse(String url) {
    if (url == null || url.isEmpty()) throw new Refused(INVALID, "the callback URL is empty");
    if (url.length() > MAX_LENGTH) {
      throw new Refused(INVALID, "the callback URL has " + url.length() + " characters; at most " + MAX_LENGTH + " are allowed");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new Refused(INVALID, "the callback URL is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new Refused(INVALID, "the callback URL must be an absolute https:// URL");
    }
    if (scheme.equals("http") && !settings.allowHttp()) {
      throw new Refused(NOT_ALLOWED, "the callback URL must use https (http is allowed only where webhooks.allow_http is on)");
    }
    if (uri.getRawUserInfo() != null) throw new Refused(INVALID, "the callback URL may not hold a user name or password");
    if (uri.getHost() == null || uri.getHost().isEmpty()) throw new Refused(INVALID, "the callback URL has no valid host");
    if (uri.getRawFragment() != null) throw new Refused(INVALID, "the callback URL may not have a fragment (#...)");
    if (uri.getPort() == 0) throw new Refused(INVALID, "the callback URL's port must be 1 to 65535");
    return uri;
  }

  /** Every rule, the lookup included: a failed future holds a {@link Refused}. */
  public Future<Target> check(String url) {
    URI uri;
    try {
      uri = parse(url);
    } catch (Refused refused) {
      return Future.failedFuture(refused);
    }
    String host = uri.getHost();
    String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ssl = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    return lookup(name)
      .map(addresses -> {
        for (InetAddress address : addresses) {
          String refusal = refusal(kind(address));
          if (refusal != null) {
            throw new Refused(NOT_ALLOWED, "the callback URL's host " + name + " resolves to " + address.getHostAddress()
              + ", " + refusal);
          }
        }
        return new Target(uri, name, port, ssl, addresses[0]);
      });
  }

  private Future<InetAddress[]> lookup(String name) {
    long now = System.currentTimeMillis();
    Lookup known = rememberMs > 0 ? remembered.get(name) : null;
    if (known != null && known.untilMs() > now) return Future.succeededFuture(known.addresses());
    return vertx.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(name), false)
      .timeout(RESOLVE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .recover(failure -> Future.failedFuture(failure instanceof UnknownHostException
        ? new Refused(INVALID, "the callback URL's host " + name + " does not resolve")
        : new Refused(INVALID, "the callback URL's host " + name + " could not be resolved in time")))
      .onSuccess(addresses -> {
        if (rememberMs > 0) remembered.put(name, new Lookup(addresses, System.currentTimeMillis() + rememberMs));
      });
  }

  private String refusal(Kind kind) {
    return switch (kind) {
      case PUBLIC -> null;
      case LOOPBACK -> settings.allowLoopback() ? null : "a loopback address (allowed only where webhooks.allow_loopback is on)";
      case PRIVATE -> settings.allowPrivate() ? null : "a private address (allowed only where webhooks.allow_private is on)";
      case NEVER -> "a link-local, multicast, broadcast, unspecified or reserved address (never allowed)";
    };
  }

  /** Which rule an address falls under. */
  public static Kind kind(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      if (v6.isLoopbackAddress()) return Kind.LOOPBACK;
      if (v6.isAnyLocalAddress() || v6.isLinkLocalAddress() || v6.isMulticastAddress()) return Kind.NEVER;
      if (v6.isIPv4CompatibleAddress()) return kindV4(new byte[] {b[12], b[13], b[14], b[15]});  // ::a.b.c.d
      if ((b[0] & 0xfe) == 0xfc || v6.isSiteLocalAddress()) return Kind.PRIVATE;  // fc00::/7 unique local, fec0::/10
      return Kind.PUBLIC;
    }
    if (address instanceof Inet4Address) return kindV4(address.getAddress());
    return Kind.NEVER;
  }

  private static Kind kindV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    if (a0 == 127) return Kind.LOOPBACK;
    if (a0 == 0 || a0 >= 224) return Kind.NEVER;                 // this network, multicast, reserved, broadcast
    if (a0 == 169 && a1 == 254) return Kind.NEVER;               // link-local, the clouds' metadata service
    if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) return Kind.PRIVATE;
    if (a0 == 100 && a1 >= 64 && a1 <= 127) return Kind.PRIVATE;  // carrier-grade NAT (RFC 6598)
    return Kind.PUBLIC;
  }
}
