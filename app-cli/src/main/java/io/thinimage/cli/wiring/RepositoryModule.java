package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.adapters.sqlite.SqliteImageRepository;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.port.ImageRepository;
import jakarta.inject.Singleton;

/** The store: SQLite at {@code --db} (WAL, one writer, checkpointed on close). */
public final class RepositoryModule extends AbstractModule {
  @Provides
  @Singleton
  ImageRepository repository(CliConfig config, Closer closer) {
    return closer.register(SqliteImageRepository.open(config.dbFile()));
  }
}
