package io.smsgw.config;

/** {@code pg.*}: PostgreSQL. An empty url is allowed here: the dev kit starts an embedded one; a pod refuses to start without it. */
public record PgSettings(String url, int poolSize, int poolWaitQueue) {

  static PgSettings from(ConfigReader.Section s) {
    return new PgSettings(
      s.string("url"),
      s.integer("pool_size", 1, Integer.MAX_VALUE),
      s.integer("pool_wait_queue", 0, Integer.MAX_VALUE));  // 0: no waiting, a busy pool fails at once
  }

  @Override
  public String toString() {
    return "PgSettings[url=" + url.replaceAll(":[^:@/]*@", ":***@") + ", poolSize=" + poolSize + ", poolWaitQueue=" + poolWaitQueue + "]";
  }
}
