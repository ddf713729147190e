package io.thinimage.wiring;

import io.thinimage.adapters.host.HealthThresholds;
import io.thinimage.core.api.ManagerConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link DefaultModules} needs to wire a manager on one host: where the data lives,
 * where layers come from, which pool holds the volumes, how the health gate judges the host, and
 * the manager's tunables. Start from {@link #under(Path, String, PoolDriver)} and change what
 * differs.
 *
 * @param dataDir the data directory
 * @param dbFile the SQLite database file
 * @param blobDir where layer blobs are stored
 * @param mountRoot where devicemapper volumes are mounted while layers are applied
 * @param storeUri {@code s3://BUCKET[/PREFIX]} or {@code file:///DIR}
 * @param region the S3 region
 * @param s3Endpoint an S3 endpoint override (path-style), empty for AWS
 * @param anonymous unsigned S3 requests (public buckets)
 * @param poolDriver the pool driver
 * @param poolDir the directory pool's root
 * @param poolName the devicemapper pool's name
 * @param health thresholds of the health gate; empty for the driver's default (devicemapper blocks
 *     at {@link HealthThresholds#defaults()}, the directory pool only reports)
 * @param manager the manager's tunables
 * @param resumeOnBuild reconcile and resume unfinished runs when the manager is built (false for a
 *     read-only command, or a daemon that resumes in the background once it listens)
 */
public record HostSettings(
    Path dataDir,
    Path dbFile,
    Path blobDir,
    Path mountRoot,
    String storeUri,
    String region,
    String s3Endpoint,
    boolean anonymous,
    PoolDriver poolDriver,
    Path poolDir,
    String poolName,
    Optional<HealthThresholds> health,
    ManagerConfig manager,
    boolean resumeOnBuild) {

  public HostSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(dbFile, "dbFile");
    Objects.requireNonNull(blobDir, "blobDir");
    Objects.requireNonNull(mountRoot, "mountRoot");
    Objects.requireNonNull(storeUri, "storeUri");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(s3Endpoint, "s3Endpoint");
    Objects.requireNonNull(poolDriver, "poolDriver");
    Objects.requireNonNull(poolDir, "poolDir");
    Objects.requireNonNull(poolName, "poolName");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(manager, "manager");
  }

  /**
   * The documented layout under {@code dataDir}: {@code thinimage.db}, {@code blobs/}, {@code
   * mounts/}, {@code pool/}; region {@code us-east-1}, signed requests, pool name {@code pool}, the
   * driver's health gate, {@link ManagerConfig#defaults()}, resume on build.
   */
  public static HostSettings under(Path dataDir, String storeUri, PoolDriver driver) {
    return new HostSettings(
        dataDir,
        dataDir.resolve("thinimage.db"),
        dataDir.resolve("blobs"),
        dataDir.resolve("mounts"),
        storeUri,
        "us-east-1",
        "",
        false,
        driver,
        dataDir.resolve("pool"),
        "pool",
        Optional.empty(),
        ManagerConfig.defaults(),
        true);
  }

  /** These settings with the database, blob and mount locations moved. */
  public HostSettings withPaths(Path db, Path blobs, Path mounts) {
    Copy c = new Copy(this);
    c.dbFile = db;
    c.blobDir = blobs;
    c.mountRoot = mounts;
    return c.build();
  }

  /** These settings with other S3 access: region, endpoint ("" for AWS), anonymous or signed. */
  public HostSettings withS3(String newRegion, String endpoint, boolean unsigned) {
    Copy c = new Copy(this);
    c.region = newRegion;
    c.s3Endpoint = endpoint;
    c.anonymous = unsigned;
    return c.build();
  }

  /** These settings with another devicemapper pool name. */
  public HostSettings withPoolName(String name) {
    Copy c = new Copy(this);
    c.poolName = name;
    return c.build();
  }

  /** These settings with an explicit health gate. */
  public HostSettings withHealth(HealthThresholds thresholds) {
    Copy c = new Copy(this);
    c.health = Optional.of(thresholds);
    return c.build();
  }

  /** These settings with other manager tunables. */
  public HostSettings withManager(ManagerConfig config) {
    Copy c = new Copy(this);
    c.manager = config;
    return c.build();
  }

  /** These settings resuming unfinished runs at build, or not. */
  public HostSettings withResumeOnBuild(boolean resume) {
    Copy c = new Copy(this);
    c.resumeOnBuild = resume;
    return c.build();
  }

  /** The health gate in force: the explicit one, else the driver's default. */
  public HealthThresholds effectiveHealth() {
    return health.orElseGet(
        () ->
            poolDriver == PoolDriver.DEVICEMAPPER
                ? HealthThresholds.defaults()
                : HealthThresholds.reportOnly());
  }

  /** A mutable copy the withers change one group of fields of. */
  private static final class Copy {
    private final Path dataDir;
    private Path dbFile;
    private Path blobDir;
    private Path mountRoot;
    private final String storeUri;
    private String region;
    private String s3Endpoint;
    private boolean anonymous;
    private final PoolDriver poolDriver;
    private final Path poolDir;
    private String poolName;
    private Optional<HealthThresholds> health;
    private ManagerConfig manager;
    private boolean resumeOnBuild;

    Copy(HostSettings s) {
      dataDir = s.dataDir;
      dbFile = s.dbFile;
      blobDir = s.blobDir;
      mountRoot = s.mountRoot;
      storeUri = s.storeUri;
      region = s.region;
      s3Endpoint = s.s3Endpoint;
      anonymous = s.anonymous;
      poolDriver = s.poolDriver;
      poolDir = s.poolDir;
      poolName = s.poolName;
      health = s.health;
      manager = s.manager;
      resumeOnBuild = s.resumeOnBuild;
    }

    HostSettings build() {
      return new HostSettings(
          dataDir,
          dbFile,
          blobDir,
          mountRoot,
          storeUri,
          region,
          s3Endpoint,
          anonymous,
          poolDriver,
          poolDir,
          poolName,
          health,
          manager,
          resumeOnBuild);
    }
  }
}
