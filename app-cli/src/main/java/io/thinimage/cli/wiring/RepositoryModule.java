package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.port.ImageRepository;
import jakarta.inject.Singleton;

/** The store: SQLite at {@code --db}. */
public final class RepositoryModule extends AbstractModule {
  @Provides
  @Singleton
  ImageRepository repository(CliConfig config, Closer closer) {
    throw Missing.adapter("the SQLite store (" + config.dbFile() + ")");
  }
}
