package io.smsgw.config;

/** {@code worker.*}: the operations port of gateway and worker pods (0: a free port). */
public record WorkerSettings(int httpPort) {

  static WorkerSettings from(ConfigReader.Section s) {
    return new WorkerSettings(s.integer("http_port", 0, 65535));
  }
}
