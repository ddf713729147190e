package io.thinimage.daemon;

import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import io.thinimage.daemon.cli.DaemonCommand;
import java.util.Optional;
import java.util.function.UnaryOperator;
import picocli.CommandLine;

/** The standalone daemon's entry point: {@code java -cp ... io.thinimage.daemon.DaemonMain}. */
public final class DaemonMain {
  private DaemonMain() {}

  /** Parses {@code args} as {@link DaemonCommand} options, runs the daemon and exits. */
  public static void main(String[] args) {
    LogSetup.defaults();
    System.exit(new CommandLine(new DaemonCommand()).execute(args));
  }

  /**
   * Refuses a second daemon on a live socket (before touching the store), takes the data-dir lock,
   * builds the manager and runs the service until a stop signal. Returns the exit code.
   */
  @SuppressWarnings("try") // the lock is held for the daemon's lifetime, never read
  public static int serve(
      StandaloneWiring wiring, DaemonOptions options, UnaryOperator<ObjectStore> decorate) {
    if (SocketGuard.isLive(options.socket())) {
      throw ThinImageException.conflict(
          "daemon-already-running",
          "a thinimage daemon is already listening on " + options.socket());
    }
    try (ServiceLock lock = ServiceLock.acquire(wiring.dataDir())) {
      ObjectStore store = wiring.objectStore(decorate);
      try (ImageManager manager = wiring.manager(store)) {
        return ThinimageDaemon.run(options, manager, Optional.of(store));
      } finally {
        if (store instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            // Nothing left to do with a store we are done with.
          }
        }
      }
    }
  }
}
