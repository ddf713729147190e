package io.thinimage.daemon;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import io.thinimage.daemon.cli.DaemonCommand;
import io.thinimage.wiring.AdapterMetrics;
import io.thinimage.wiring.DefaultModules;
import io.thinimage.wiring.HostSettings;
import io.thinimage.wiring.OpenedResources;
import java.time.Clock;
import java.util.List;
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
   * wires the manager with the default module set and runs the service until a stop signal. Returns
   * the exit code.
   */
  @SuppressWarnings("try") // the lock is held for the daemon's lifetime, never read
  public static int serve(
      HostSettings settings, DaemonOptions options, UnaryOperator<ObjectStore> decorate) {
    if (SocketGuard.isLive(options.socket())) {
      throw ThinImageException.conflict(
          "daemon-already-running",
          "a thinimage daemon is already listening on " + options.socket());
    }
    try (ServiceLock lock = ServiceLock.acquire(settings.dataDir())) {
      Injector injector =
          Guice.createInjector(DefaultModules.forHost(settings, Clock.systemUTC(), decorate));
      try (OpenedResources opened = injector.getInstance(OpenedResources.class)) {
        ObjectStore store = injector.getInstance(ObjectStore.class);
        ImageManager manager = injector.getInstance(ImageManager.class);
        List<MeterBinder> adapterMetrics =
            AdapterMetrics.of(injector.getInstance(ImageRepository.class), store);
        return ThinimageDaemon.run(
            options.withMetrics(adapterMetrics), manager, Optional.of(store));
      }
    }
  }
}
