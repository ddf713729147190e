package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.cli.options.CliConfig;
import jakarta.inject.Singleton;

/**
 * What only the CLI binds on top of the default module set: the resolved options, and what {@code
 * setup-pool} does for the chosen pool driver.
 */
public final class ConfigModule extends AbstractModule {
  private final CliConfig config;

  public ConfigModule(CliConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(CliConfig.class).toInstance(config);
  }

  @Provides
  @Singleton
  PoolProvisioner provisioner() {
    if ("directory".equals(config.driver())) {
      return new DirectoryProvisioner(config);
    }
    return new DevicemapperProvisioner(config);
  }
}
