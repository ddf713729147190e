package io.thinimage.adapters.devicemapper;

import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.adapters.host.HealthThresholds;
import io.thinimage.adapters.host.LinuxHealthProbe;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import jakarta.inject.Singleton;

/**
 * Guice wiring of the devicemapper thin-pool: exposes only {@link BlockDevicePool}, the {@link
 * RootFilesystemFactory} layers are applied through (on the mounted volumes), and a {@link
 * HealthProbe} that blocks dm mutations on an unsafe host or pool. Without Guice, {@code new
 * DevicemapperPool(config, new ProcessCommandRunner())}.
 */
public final class DevicemapperPoolModule extends PrivateModule {
  private final DevicemapperConfig config;
  private final HealthThresholds thresholds;

  /** The pool {@code config} names, gated by the documented {@link HealthThresholds#defaults()}. */
  public DevicemapperPoolModule(DevicemapperConfig config) {
    this(config, HealthThresholds.defaults());
  }

  /** The pool {@code config} names, gated by {@code thresholds}. */
  public DevicemapperPoolModule(DevicemapperConfig config, HealthThresholds thresholds) {
    this.config = config;
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
    return new DevicemapperPool(config, new ProcessCommandRunner());
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
