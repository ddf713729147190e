package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.adapters.devicemapper.DevicemapperConfig;
import io.thinimage.adapters.devicemapper.DevicemapperPool;
import io.thinimage.adapters.devicemapper.ProcessCommandRunner;
import io.thinimage.adapters.directory.DirectoryPool;
import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import jakarta.inject.Singleton;

/**
 * The volume pool ({@code --pool-driver}), the filesystem seam layers are applied through, and what
 * {@code setup-pool} does for that driver.
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

  @Provides
  @Singleton
  PoolProvisioner provisioner(CliConfig config) {
    if ("directory".equals(config.driver())) {
      return new DirectoryProvisioner(config);
    }
    return new DevicemapperProvisioner(config);
  }
}
