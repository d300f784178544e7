package io.smsgw.devkit;

import java.io.IOException;

/**
 * For a process started by another (the embedded broker, a worker in a test): the parent holds our stdin;
 * when it dies, even by SIGKILL, stdin closes and this process halts instead of living on as an orphan.
 */
public final class ParentWatch {

  private ParentWatch() {
  }

  public static void start() {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent never writes; read() returns -1 only at end of stream
        }
      } catch (IOException ignored) {
        // a broken pipe is the same as end of stream
      }
      Runtime.getRuntime().halt(1);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
