package io.thinimage.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.thinimage.adapters.host.HealthThresholds;
import io.thinimage.adapters.sqlite.SqliteImageRepository;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.testing.TarLayers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default module set over the real SQLite store, a local bucket and the directory pool. */
class DefaultModulesTest {
  @TempDir Path tmp;
  Path data;
  Path bucket;

  @BeforeEach
  void bucket() throws Exception {
    data = tmp.resolve("data");
    bucket = tmp.resolve("bucket");
    Files.createDirectories(bucket.resolve("images/app"));
    Files.write(
        bucket.resolve("images/app/1.tar"), TarLayers.layer().file("etc/motd", "hi\n").build());
  }

  @Test
  void closingTheOpenedResourcesClosesTheManagerAndTheDatabase() {
    Injector injector =
        Guice.createInjector(
            DefaultModules.forHost(
                HostSettings.under(data, "file://" + bucket, PoolDriver.DIRECTORY)));
    OpenedResources opened = injector.getInstance(OpenedResources.class);
    ImageManager images = injector.getInstance(ImageManager.class);
    images.process(
        new ImageReference("images/app/"), ProcessOptions.defaults(), ProgressListener.none());
    opened.close();

    // The database was checkpointed and released: a fresh store opens it and sees the image.
    try (SqliteImageRepository again = SqliteImageRepository.open(data.resolve("thinimage.db"))) {
      List<Image> stored = again.read(RepositoryReader::listImages);
      assertThat(stored).hasSize(1);
    }
    assertThat(data.resolve("thinimage.db-wal"))
        .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
  }

  @Test
  void aCommandThatNeverAsksForTheManagerOpensNothing() {
    Injector injector =
        Guice.createInjector(
            DefaultModules.forHost(
                HostSettings.under(data, "file://" + bucket, PoolDriver.DIRECTORY)));
    injector.getInstance(OpenedResources.class).close();
    assertThat(data.resolve("thinimage.db")).doesNotExist();
  }

  @Test
  void theDirectoryPoolOnlyReportsByDefault() {
    Injector injector =
        Guice.createInjector(
            DefaultModules.forHost(
                HostSettings.under(data, "file://" + bucket, PoolDriver.DIRECTORY)));
    try (OpenedResources opened = injector.getInstance(OpenedResources.class)) {
      assertThat(injector.getInstance(HealthProbe.class).check().unsafe()).isFalse();
      assertThat(injector.getInstance(ImageRepository.class)).isNotNull();
    }
  }

  @Test
  void anExplicitHealthGateBlocksPoolMutationsWithAnUnsafeError() {
    // No host has 100 % of its memory available: the gate turns unsafe on any machine.
    HostSettings settings =
        HostSettings.under(data, "file://" + bucket, PoolDriver.DIRECTORY)
            .withHealth(HealthThresholds.reportOnly().with("mem-available-unsafe", 100))
            .withManager(ManagerConfig.defaults().withUnsafeWait(Duration.ofMillis(200)));
    Injector injector = Guice.createInjector(DefaultModules.forHost(settings));
    try (OpenedResources opened = injector.getInstance(OpenedResources.class)) {
      ImageManager images = injector.getInstance(ImageManager.class);
      assertThatThrownBy(
              () ->
                  images.process(
                      new ImageReference("images/app/"),
                      ProcessOptions.defaults(),
                      ProgressListener.none()))
          .isInstanceOfSatisfying(
              ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE))
          .hasMessageContaining("mem");
    }
  }
}
