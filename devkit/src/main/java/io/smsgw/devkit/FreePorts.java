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
 * below the kernel's ephemeral range (net.ipv4.ip_local_port_range), because a port from that range (what binding port
 * 0 gives) can be taken by any outgoing connection (Hazelcast's, Kafka's, PostgreSQL's) before the child process that
 * was handed it binds it: ClusterFailoverIT's pods failed to start with "Address already in use" that way. A port is
 * handed out once per JVM.
 */
public final class FreePorts {

  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final int FIRST_EPHEMERAL = firstEphemeral();

  private FreePorts() {
  }

  public static int next() {
    int highest = FIRST_EPHEMERAL - 1;
    if (highest - LOWEST >= 1_000) {
      for (int tries = 0; tries < 200; tries++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
        if (HANDED_OUT.contains(port) || !free(port)) continue;
        if (HANDED_OUT.add(port)) return port;
      }
    }
    // No room below the ephemeral range (or all taken): any free port, as the kernel picks it.
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

  /** The first port of the kernel's ephemeral range (Linux); 32768 when it cannot be read. */
  private static int firstEphemeral() {
    try {
      String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException unknown) {
      return 32_768;
    }
  }
}
