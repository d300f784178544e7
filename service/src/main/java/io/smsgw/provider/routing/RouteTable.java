package io.smsgw.provider.routing;

import io.smsgw.config.RoutingSettings;
import io.smsgw.domain.Priority;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Which providers a message may go to, in the order to try them: the route with the longest prefix of its number
 * (a lane's own route before an "any" one of the same prefix); its first provider drawn by weight when the route has
 * weights, the others after it in their listed order. Without routes: every provider in its listed order.
 */
public final class RouteTable {

  private final List<RoutingSettings.Route> routes;
  private final List<String> allProviders;

  public RouteTable(RoutingSettings settings) {
    List<RoutingSettings.Route> sorted = new ArrayList<>(settings.routes());
    // Longest prefix first; at one length a lane's own route before "any".
    sorted.sort(Comparator.<RoutingSettings.Route>comparingInt(r -> -r.prefix().length())
      .thenComparingInt(r -> "any".equals(r.lane()) ? 1 : 0));
    this.routes = List.copyOf(sorted);
    this.allProviders = settings.providers().stream().map(RoutingSettings.ProviderSpec::id).toList();
  }

  /** The route a number on a lane takes, or null when there are no routes. */
  public RoutingSettings.Route route(String phoneNumber, Priority lane) {
    String digits = phoneNumber.startsWith("+") ? phoneNumber.substring(1) : phoneNumber;
    for (RoutingSettings.Route r : routes) {
      if ((r.lane().equals("any") || r.lane().equals(lane.wireName())) && digits.startsWith(r.prefix())) return r;
    }
    return null;
  }

  /** The providers to try, in order; {@code random} draws the weighted first choice (in [0, 1)). */
  public List<String> candidates(String phoneNumber, Priority lane, DoubleSupplier random) {
    RoutingSettings.Route r = route(phoneNumber, lane);
    if (r == null) return allProviders;
    List<RoutingSettings.Choice> choices = r.choices();
    int total = 0;
    for (RoutingSettings.Choice c : choices) total += c.weight();
    if (total == 0) return choices.stream().map(RoutingSettings.Choice::providerId).toList();
    double draw = random.getAsDouble() * total;
    int first = 0;
    for (int i = 0; i < choices.size(); i++) {
      draw -= choices.get(i).weight();
      if (draw < 0) {
        first = i;
        break;
      }
    }
    List<String> ordered = new ArrayList<>(choices.size());
    ordered.add(choices.get(first).providerId());
    for (int i = 0; i < choices.size(); i++) if (i != first) ordered.add(choices.get(i).providerId());
    return ordered;
  }
}
