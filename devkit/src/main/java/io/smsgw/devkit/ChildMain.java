package io.smsgw.devkit;

import io.smsgw.bootstrap.Main;

/** The entry point of a {@link ChildPod}: the service's own main, halted when the parent JVM dies. */
public final class ChildMain {

  private ChildMain() {
  }

  public static void main(String[] args) throws Exception {
    ParentWatch.start();
    Main.main(args);
  }
}
