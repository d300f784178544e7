package io.smsgw.devkit;

/**
 * The main class of the embedded broker's child JVM: Kafka's own {@code kafka.Kafka}, plus a
 * {@link ParentWatch}, so the broker never outlives the process that started it.
 */
public final class KafkaBrokerProcess {

  private KafkaBrokerProcess() {
  }

  public static void main(String[] args) throws Exception {
    ParentWatch.start();
    kafka.Kafka.main(args);
  }
}
