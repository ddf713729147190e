package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.adapters.devicemapper.DevicemapperConfig;
import io.thinimage.adapters.devicemapper.DevicemapperPool;
import io.thinimage.adapters.devicemapper.ProcessCommandRunner;
import io.thinimage.adapters.directory.DirectoryPool;
import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.adapters.host.HealthThresholds;
import io.thinimage.adapters.host.LinuxHealthProbe;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The volume pool ({@code --pool-driver}), the filesystem seam layers are applied through, the host
 * health probe, and what {@code setup-pool} does for that driver.
 */
public final class PoolModule extends AbstractModule {
  @Provides
  @Singleton
  BlockDevicePool pool(CliConfig config) {
    if ("directory".equals(config.driver())) {
      return new DirectoryPool(config.poolDir());
    }
    return new DevicemapperPool(
        DevicemapperConfig.defaults(config.poolName(), config.mountRoot()),
        new ProcessCommandRunner());
  }

  @Provides
  @Singleton
  RootFilesystemFactory rootFilesystems() {
    return new NioRootFilesystemFactory();
  }

  /**
   * Host and pool health read from {@code /proc}. On devicemapper it blocks dm mutations when a
   * measured value is unsafe; on the directory pool it only reports (there is no kernel pool to
   * hurt).
   */
  @Provides
  @Singleton
  HealthProbe health(CliConfig config, BlockDevicePool pool) {
    if ("directory".equals(config.driver())) {
      return new LinuxHealthProbe(
          Path.of("/proc"),
          HealthThresholds.reportOnly(),
          () -> Optional.of(pool.status()),
          Duration.ofSeconds(2),
          Duration.ofMillis(100));
    }
    return LinuxHealthProbe.forHost(pool);
  }

  @Provides
  @Singleton
  PoolProvisioner provisioner(CliConfig config) {
    if ("directory".equals(config.driver())) {
      return new DirectoryProvisioner(config);
    }
    return new DevicemapperProvisioner(config);
  }
}
