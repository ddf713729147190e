package io.thinimage.adapters.directory;

import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.adapters.host.HealthThresholds;
import io.thinimage.adapters.host.LinuxHealthProbe;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * Guice wiring of the directory pool (no root, no device-mapper): exposes only the ports a manager
 * needs from a pool — {@link BlockDevicePool}, the {@link RootFilesystemFactory} layers are applied
 * through, and a {@link HealthProbe} that reports host health without blocking. Without Guice,
 * {@code new DirectoryPool(root)} and {@code new NioRootFilesystemFactory()}.
 */
public final class DirectoryPoolModule extends PrivateModule {
  private final Path root;
  private final HealthThresholds thresholds;

  /** The pool under {@code root}; host health is reported, never blocking. */
  public DirectoryPoolModule(Path root) {
    this(root, HealthThresholds.reportOnly());
  }

  /**
   * The pool under {@code root} with a health probe that blocks mutations past {@code thresholds}
   * (an operator who wants the directory pool gated like devicemapper).
   */
  public DirectoryPoolModule(Path root, HealthThresholds thresholds) {
    this.root = root;
    this.thresholds = thresholds;
  }

  @Override
  protected void configure() {
    expose(BlockDevicePool.class);
    expose(RootFilesystemFactory.class);
    expose(HealthProbe.class);
  }

  @Provides
  @Singleton
  BlockDevicePool pool() {
    return new DirectoryPool(root);
  }

  @Provides
  @Singleton
  RootFilesystemFactory rootFilesystems() {
    return new NioRootFilesystemFactory();
  }

  @Provides
  @Singleton
  HealthProbe health(BlockDevicePool pool) {
    return LinuxHealthProbe.forHost(pool, thresholds);
  }
}
