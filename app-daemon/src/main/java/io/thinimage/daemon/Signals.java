package io.thinimage.daemon;

/**
 * SIGTERM/SIGINT handling. A plain shutdown hook would make the JVM exit with 143 after SIGTERM;
 * handling the signals lets the daemon drain and exit 0, which is what service managers expect of a
 * clean stop. Uses {@code sun.misc.Signal} (module jdk.unsupported), the only JDK API for this.
 */
final class Signals {
  private Signals() {}

  /** Calls {@code action} on SIGTERM or SIGINT; false if the signals could not be handled here. */
  @SuppressWarnings("sunapi")
  static boolean onTermination(Runnable action) {
    boolean all = true;
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // The signal is in use or ignored (e.g. INT under nohup): the shutdown hook covers it.
        all = false;
      }
    }
    return all;
  }
}
