package io.thinimage.daemon;

import io.thinimage.adapters.devicemapper.DevicemapperConfig;
import io.thinimage.adapters.devicemapper.DevicemapperPool;
import io.thinimage.adapters.devicemapper.ProcessCommandRunner;
import io.thinimage.adapters.directory.DirectoryPool;
import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.adapters.s3.ObjectStores;
import io.thinimage.adapters.sqlite.SqliteImageRepository;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The minimal wiring of a standalone daemon (the CLI's {@code daemon} command reuses its own Guice
 * wiring instead): SQLite at {@code <data-dir>/thinimage.db}, blobs in {@code <data-dir>/blobs},
 * the object store from a URI, and the directory or devicemapper pool.
 *
 * @param dataDir the data directory
 * @param storeUri {@code s3://BUCKET[/PREFIX]} or {@code file:///DIR}
 * @param region the S3 region
 * @param s3Endpoint an S3 endpoint override, empty for AWS
 * @param anonymous unsigned S3 requests
 * @param poolDriver {@code directory} or {@code devicemapper}
 * @param poolName the devicemapper pool name
 * @param downloads concurrent layer downloads
 * @param unpacks concurrent layer unpacks
 */
public record StandaloneWiring(
    Path dataDir,
    String storeUri,
    String region,
    String s3Endpoint,
    boolean anonymous,
    String poolDriver,
    String poolName,
    int downloads,
    int unpacks) {

  /** The object store the options name; {@code decorate} lets tests wrap it. */
  public ObjectStore objectStore(UnaryOperator<ObjectStore> decorate) {
    ObjectStore store =
        ObjectStores.fromUri(
            storeUri,
            o -> {
              var tuned = o.withRegion(region).withAnonymous(anonymous);
              return s3Endpoint.isEmpty()
                  ? tuned
                  : tuned.withEndpoint(URI.create(s3Endpoint), true);
            });
    return decorate.apply(store);
  }

  /** The volume pool of {@link #poolDriver}. */
  public BlockDevicePool pool() {
    if ("directory".equals(poolDriver)) {
      return new DirectoryPool(dataDir.resolve("pool"));
    }
    return new DevicemapperPool(
        DevicemapperConfig.defaults(poolName, dataDir.resolve("mounts")),
        new ProcessCommandRunner());
  }

  /**
   * Opens the store and builds the manager (reconciled, nothing resumed yet: the daemon resumes in
   * the background once it listens).
   */
  public ImageManager manager(ObjectStore store) {
    ImageRepository repository = SqliteImageRepository.open(dataDir.resolve("thinimage.db"));
    try {
      return ImageManager.builder()
          .repository(repository)
          .objectStore(store)
          .pool(pool())
          .rootFilesystems(new NioRootFilesystemFactory())
          .blobDirectory(dataDir.resolve("blobs"))
          .config(ManagerConfig.defaults().withConcurrency(downloads, unpacks))
          .resumeOnBuild(false)
          .build();
    } catch (RuntimeException e) {
      repository.close();
      throw e;
    }
  }
}
