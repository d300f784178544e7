package io.smsgw.devkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port nobody listens on now, so embedded services never take the ports of services already running. It is drawn
 * outside the kernel's ephemeral range (net.ipv4.ip_local_port_range), because a port from that range (what binding port
 * 0 gives) can be taken by any outgoing connection (Hazelcast's, Kafka's, PostgreSQL's) before the child process that
 * was handed it binds it: ClusterFailoverIT's pods failed to start with "Address already in use" that way. A port is
 * handed out once per JVM.
 */
public final class FreePorts {

  private static final int LOWEST = 10_000;
  private static final int HIGHEST = 65_535;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final int[] EPHEMERAL = ephemeralRange();

  private FreePorts() {
  }

  public static int next() {
    // The ports on both sides of the ephemeral range: a machine may start it low (1024) or end it early.
    int below = Math.max(0, EPHEMERAL[0] - LOWEST);
    int above = Math.max(0, HIGHEST - EPHEMERAL[1]);
    if (below + above >= 1_000) {
      for (int tries = 0; tries < 200; tries++) {
        int pick = ThreadLocalRandom.current().nextInt(below + above);
        int port = pick < below ? LOWEST + pick : EPHEMERAL[1] + 1 + (pick - below);
        if (HANDED_OUT.contains(port) || !free(port)) continue;
        if (HANDED_OUT.add(port)) return port;
      }
    }
    // No room outside the ephemeral range (or all taken): any free port, as the kernel picks it. An outgoing connection
    // may take it before it is bound, so a caller that binds it in-process retries on BindException (TestGateway).
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      HANDED_OUT.add(socket.getLocalPort());
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The kernel's ephemeral range (Linux); 32768–60999 when it cannot be read. */
  private static int[] ephemeralRange() {
    try {
      String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
    } catch (IOException | RuntimeException unknown) {
      return new int[] {32_768, 60_999};
    }
  }
}
