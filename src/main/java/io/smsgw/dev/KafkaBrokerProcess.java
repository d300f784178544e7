package io.smsgw.dev;

/**
 * The main class of the embedded broker's child JVM: Kafka's own {@code kafka.Kafka}, plus a watch on stdin.
 * The parent holds the other end of that pipe; when the parent dies, even by SIGKILL, the pipe closes and the
 * broker exits instead of living on as an orphan.
 */
public final class KafkaBrokerProcess {

  private KafkaBrokerProcess() {
  }

  public static void main(String[] args) throws Exception {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent never writes; this only returns at end of stream
        }
      } catch (java.io.IOException ignored) {
        // the pipe broke: same as end of stream
      }
      Runtime.getRuntime().halt(1);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();
    kafka.Kafka.main(args);
  }
}
