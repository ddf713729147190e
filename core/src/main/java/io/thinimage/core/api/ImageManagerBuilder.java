package io.thinimage.core.api;

import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.IdSource;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Builds an {@link ImageManager} from its ports. Every port is required except the health probe
 * (default: always healthy), the clock (default: UTC system clock), the id source (default:
 * time-ordered random ids) and the config ({@link ManagerConfig#defaults()}).
 *
 * <pre>{@code
 * ImageManager manager = ImageManager.builder()
 *     .repository(repo).objectStore(store).pool(pool)
 *     .rootFilesystems(factory).blobDirectory(dataDir.resolve("blobs"))
 *     .build();
 * }</pre>
 */
public final class ImageManagerBuilder {
  ImageRepository repository;
  ObjectStore objectStore;
  BlockDevicePool pool;
  RootFilesystemFactory rootFilesystems;
  Path blobDirectory;
  HealthProbe healthProbe = io.thinimage.core.port.HealthProbe.HealthReport::healthy;
  Clock clock = Clock.systemUTC();
  IdSource ids = new io.thinimage.core.engine.TimeOrderedIds(Clock.systemUTC());
  ManagerConfig config = ManagerConfig.defaults();
  io.thinimage.core.engine.CrashPoints crashPoints = io.thinimage.core.engine.CrashPoints.NONE;
  io.thinimage.core.engine.Sleeper sleeper = io.thinimage.core.engine.Sleeper.REAL;
  boolean resumeOnBuild = true;

  ImageManagerBuilder() {}

  public ImageManagerBuilder repository(ImageRepository r) {
    this.repository = r;
    return this;
  }

  public ImageManagerBuilder objectStore(ObjectStore s) {
    this.objectStore = s;
    return this;
  }

  public ImageManagerBuilder pool(BlockDevicePool p) {
    this.pool = p;
    return this;
  }

  public ImageManagerBuilder rootFilesystems(RootFilesystemFactory f) {
    this.rootFilesystems = f;
    return this;
  }

  /** The directory that holds {@code sha256/<hex>} blobs and partial downloads. */
  public ImageManagerBuilder blobDirectory(Path dir) {
    this.blobDirectory = dir;
    return this;
  }

  public ImageManagerBuilder healthProbe(HealthProbe p) {
    this.healthProbe = p;
    return this;
  }

  public ImageManagerBuilder clock(Clock c) {
    this.clock = c;
    return this;
  }

  public ImageManagerBuilder ids(IdSource i) {
    this.ids = i;
    return this;
  }

  public ImageManagerBuilder config(ManagerConfig c) {
    this.config = c;
    return this;
  }

  /** Test hook: where the engine may be stopped as if the process died. */
  public ImageManagerBuilder crashPoints(io.thinimage.core.engine.CrashPoints c) {
    this.crashPoints = c;
    return this;
  }

  /** How retries wait; tests pass a sleeper that advances a fake clock. */
  public ImageManagerBuilder sleeper(io.thinimage.core.engine.Sleeper s) {
    this.sleeper = s;
    return this;
  }

  /**
   * Whether {@link #build()} reconciles the store with the pool and resumes unfinished runs
   * (default true). False for read-only users (they then touch nothing) and for services that call
   * {@link ImageManager#resumeInBackground()} themselves.
   */
  public ImageManagerBuilder resumeOnBuild(boolean r) {
    this.resumeOnBuild = r;
    return this;
  }

  /** Builds the manager; reconciles and resumes unless {@link #resumeOnBuild} said not to. */
  public ImageManager build() {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(objectStore, "objectStore");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(rootFilesystems, "rootFilesystems");
    Objects.requireNonNull(blobDirectory, "blobDirectory");
    return DefaultImageManager.open(this);
  }
}
