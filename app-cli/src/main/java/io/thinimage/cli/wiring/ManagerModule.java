package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The {@link ImageManager} built from the ports. Only mutating commands resume unfinished runs: a
 * {@code list-images} must not start work behind the back of the process that holds the lock.
 */
public final class ManagerModule extends AbstractModule {
  private final io.thinimage.core.api.ManagerConfig managerConfig;
  private final boolean resumeInForeground;

  /** Defaults: the documented tunables; mutating commands reconcile and resume at build. */
  public ManagerModule() {
    this(io.thinimage.core.api.ManagerConfig.defaults(), true);
  }

  /**
   * @param managerConfig tunables (the daemon sets its queue sizes here)
   * @param resumeInForeground false for the daemon, which resumes in the background once its socket
   *     answers
   */
  public ManagerModule(
      io.thinimage.core.api.ManagerConfig managerConfig, boolean resumeInForeground) {
    this.managerConfig = managerConfig;
    this.resumeInForeground = resumeInForeground;
  }

  @Provides
  @Singleton
  ImageManager manager(
      CliConfig config,
      RunMode mode,
      Closer closer,
      Clock clock,
      ImageRepository repository,
      ObjectStore store,
      BlockDevicePool pool,
      HealthProbe health,
      RootFilesystemFactory rootFilesystems) {
    return closer.register(
        ImageManager.builder()
            .repository(repository)
            .objectStore(store)
            .pool(pool)
            .rootFilesystems(rootFilesystems)
            .healthProbe(health)
            .blobDirectory(config.blobDir())
            .clock(clock)
            .config(managerConfig)
            .resumeOnBuild(mode.mutating() && resumeInForeground)
            // Unset in production; crash-torture runs set THINIMAGE_CRASH_AT to halt at a point.
            .crashPoints(io.thinimage.core.engine.CrashPoints.fromEnvironment())
            .build());
  }
}
