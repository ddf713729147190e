package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import io.thinimage.cli.options.CliConfig;
import java.time.Clock;

/** Binds the resolved options, the run mode, the closer and the clock of one invocation. */
public final class ConfigModule extends AbstractModule {
  private final CliConfig config;
  private final RunMode mode;
  private final Closer closer;

  public ConfigModule(CliConfig config, RunMode mode, Closer closer) {
    this.config = config;
    this.mode = mode;
    this.closer = closer;
  }

  @Override
  protected void configure() {
    bind(CliConfig.class).toInstance(config);
    bind(RunMode.class).toInstance(mode);
    bind(Closer.class).toInstance(closer);
    bind(Clock.class).toInstance(Clock.systemUTC());
  }
}
