package io.thinimage.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.thinimage.adapters.directory.DirectoryPool;
import io.thinimage.adapters.directory.DirectoryPoolModule;
import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.adapters.s3.ObjectStoreModule;
import io.thinimage.adapters.s3.ObjectStores;
import io.thinimage.adapters.sqlite.SqliteImageRepository;
import io.thinimage.adapters.sqlite.SqliteModule;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import io.thinimage.core.testing.TarLayers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-adapter examples of {@code docs/EMBEDDING.md}, compiled and run: SQLite, a local store
 * with the S3 key layout and the directory pool, wired with Guice and without it.
 */
class EmbeddingGuiceExampleTest {
  @TempDir Path tmp;
  Path data;
  Path bucket;

  @BeforeEach
  void bucketWithOneImage() throws Exception {
    data = tmp.resolve("data");
    bucket = tmp.resolve("bucket"); // a file:// store: the same key layout as the S3 bucket
    Files.createDirectories(bucket.resolve("images/app"));
    Files.write(
        bucket.resolve("images/app/1.tar"), TarLayers.layer().file("etc/motd", "hello\n").build());
  }

  @Test
  void withGuice() throws Exception {
    // tag::guice[]
    Injector injector =
        Guice.createInjector(
            new SqliteModule(data.resolve("thinimage.db")),
            new ObjectStoreModule("file://" + bucket), // or "s3://my-bucket/my-prefix"
            new DirectoryPoolModule(data.resolve("pool"))); // or a DevicemapperPoolModule
    try (ImageManager images =
        ImageManager.builder()
            .repository(injector.getInstance(ImageRepository.class))
            .objectStore(injector.getInstance(ObjectStore.class))
            .pool(injector.getInstance(BlockDevicePool.class))
            .rootFilesystems(injector.getInstance(RootFilesystemFactory.class))
            .healthProbe(injector.getInstance(HealthProbe.class))
            .blobDirectory(data.resolve("blobs"))
            .build()) {
      ProcessResult r =
          images.process(
              new ImageReference("images/app/"),
              ProcessOptions.defaults(),
              ProgressListener.none());
      Path root = Path.of(r.activation().devicePath()); // the directory pool's activation
      assertThat(root.resolve("etc/motd")).hasContent("hello");
    }
    // end::guice[]
  }

  @Test
  void withTheDefaultModuleSet() throws Exception {
    // tag::defaults[]
    HostSettings settings =
        HostSettings.under(data, "file://" + bucket, PoolDriver.DIRECTORY) // or DEVICEMAPPER
            .withManager(ManagerConfig.defaults().withConcurrency(2, 1));
    Injector injector = Guice.createInjector(DefaultModules.forHost(settings));
    try (OpenedResources opened = injector.getInstance(OpenedResources.class)) {
      ImageManager images = injector.getInstance(ImageManager.class);
      ProcessResult r =
          images.process(
              new ImageReference("images/app/"),
              ProcessOptions.defaults(),
              ProgressListener.none());
      assertThat(Path.of(r.activation().devicePath()).resolve("etc/motd")).hasContent("hello");
    } // closes the manager, then the database and the store client
    // end::defaults[]
  }

  @Test
  void withoutGuice() throws Exception {
    // tag::plain[]
    try (ImageManager images =
        ImageManager.builder()
            .repository(SqliteImageRepository.open(data.resolve("thinimage.db")))
            .objectStore(ObjectStores.fromUri("file://" + bucket))
            .pool(new DirectoryPool(data.resolve("pool")))
            .rootFilesystems(new NioRootFilesystemFactory())
            .blobDirectory(data.resolve("blobs"))
            .build()) {
      ProcessResult r =
          images.process(
              new ImageReference("images/app/"),
              ProcessOptions.defaults(),
              ProgressListener.none());
      assertThat(images.listImages()).hasSize(1);
      assertThat(r.blobsDownloaded()).isEqualTo(1);
    }
    // end::plain[]
  }
}
