package io.thinimage.wiring;

import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.engine.CrashPoints;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The {@link ImageManager} over whatever binds the ports ({@link ImageRepository}, {@link
 * ObjectStore}, {@link BlockDevicePool}, {@link RootFilesystemFactory}, {@link HealthProbe}):
 * exposes only the manager. Without Guice, {@link ImageManager#builder()}.
 */
public final class ManagerModule extends PrivateModule {
  private final Path blobDir;
  private final ManagerConfig config;
  private final boolean resumeOnBuild;
  private final Clock clock;

  /**
   * @param blobDir where layer blobs are stored
   * @param config the manager's tunables
   * @param resumeOnBuild reconcile and resume unfinished runs when the manager is built
   * @param clock the clock of every recorded time
   */
  public ManagerModule(Path blobDir, ManagerConfig config, boolean resumeOnBuild, Clock clock) {
    this.blobDir = blobDir;
    this.config = config;
    this.resumeOnBuild = resumeOnBuild;
    this.clock = clock;
  }

  @Override
  protected void configure() {
    expose(ImageManager.class);
  }

  @Provides
  @Singleton
  ImageManager manager(
      ImageRepository repository,
      ObjectStore store,
      BlockDevicePool pool,
      HealthProbe health,
      RootFilesystemFactory rootFilesystems) {
    return ImageManager.builder()
        .repository(repository)
        .objectStore(store)
        .pool(pool)
        .rootFilesystems(rootFilesystems)
        .healthProbe(health)
        .blobDirectory(blobDir)
        .clock(clock)
        .config(config)
        .resumeOnBuild(resumeOnBuild)
        // Unset in production; crash-torture runs set THINIMAGE_CRASH_AT to halt at a point.
        .crashPoints(CrashPoints.fromEnvironment())
        .build();
  }
}
