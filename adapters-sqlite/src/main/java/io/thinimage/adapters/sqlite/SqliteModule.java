package io.thinimage.adapters.sqlite;

import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import io.thinimage.core.port.ImageRepository;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * Guice wiring of the SQLite store: exposes only {@link ImageRepository}, one per injector, opened
 * on first use. Without Guice, call {@link SqliteImageRepository#open(Path, SqliteOptions)}.
 */
public final class SqliteModule extends PrivateModule {
  private final Path dbFile;
  private final SqliteOptions options;

  public SqliteModule(Path dbFile) {
    this(dbFile, SqliteOptions.defaults());
  }

  public SqliteModule(Path dbFile, SqliteOptions options) {
    this.dbFile = dbFile;
    this.options = options;
  }

  @Override
  protected void configure() {
    expose(ImageRepository.class);
  }

  @Provides
  @Singleton
  ImageRepository repository() {
    return SqliteImageRepository.open(dbFile, options);
  }
}
