package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import io.thinimage.core.port.ImageRepository;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteModuleTest {
  @TempDir Path dir;

  @Test
  void exposesOnlyThePortAsASingleton() {
    var injector = Guice.createInjector(new SqliteModule(dir.resolve("t.db")));
    ImageRepository repo = injector.getInstance(ImageRepository.class);
    try {
      assertThat(repo).isSameAs(injector.getInstance(ImageRepository.class));
      assertThat(repo.info().location()).endsWith("t.db");
      assertThatThrownBy(() -> injector.getInstance(SqliteOptions.class))
          .isInstanceOf(ConfigurationException.class);
    } finally {
      repo.close();
    }
  }
}
