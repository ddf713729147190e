package io.thinimage.core.testing;

import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.engine.CrashPoints;
import io.thinimage.core.engine.RetryPolicy;
import io.thinimage.core.port.HealthProbe;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything an {@link ImageManager} needs, as fakes, in one place: an in-memory store, object
 * store and pool, a hand-moved clock and sequential ids. Building a second manager over the same
 * world is a "restart": the fakes keep what a real store, bucket and kernel would keep.
 *
 * <pre>{@code
 * FakeWorld world = new FakeWorld(tempDir);
 * world.objects().put("images/app/1.tar", TarLayers.layer().file("etc/motd", "hi").build());
 * ImageManager manager = world.manager();
 * }</pre>
 */
public final class FakeWorld {
  private final Path blobDirectory;
  private final InMemoryImageRepository repository = new InMemoryImageRepository();
  private final FakeObjectStore objects = new FakeObjectStore("bucket");
  private final FakeBlockDevicePool pool = new FakeBlockDevicePool();
  private final MutableClock clock = new MutableClock();
  private final SequentialIds ids = new SequentialIds();
  private volatile HealthProbe health = HealthProbe.HealthReport::healthy;
  private ManagerConfig config =
      ManagerConfig.defaults()
          .withRetry(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 4))
          .withVolumeSize(1L << 30);

  public FakeWorld(Path blobDirectory) {
    this.blobDirectory = blobDirectory;
  }

  public InMemoryImageRepository repository() {
    return repository;
  }

  public FakeObjectStore objects() {
    return objects;
  }

  public FakeBlockDevicePool pool() {
    return pool;
  }

  public MutableClock clock() {
    return clock;
  }

  public Path blobDirectory() {
    return blobDirectory;
  }

  public FakeWorld health(HealthProbe probe) {
    this.health = probe;
    return this;
  }

  public FakeWorld config(ManagerConfig c) {
    this.config = c;
    return this;
  }

  public ManagerConfig config() {
    return config;
  }

  /** A manager over this world; reconciles and resumes unfinished runs as a real start does. */
  public ImageManager manager() {
    return manager(CrashPoints.NONE);
  }

  /** A manager that may "die" at the given crash points. */
  public ImageManager manager(CrashPoints crashPoints) {
    return ImageManager.builder()
        .repository(repository)
        .objectStore(objects)
        .pool(pool)
        .rootFilesystems(pool.filesystems())
        .blobDirectory(blobDirectory)
        .healthProbe(() -> health.check())
        .clock(clock)
        .ids(ids)
        .config(config)
        .crashPoints(crashPoints)
        .sleeper(clock.sleeper())
        .build();
  }
}
