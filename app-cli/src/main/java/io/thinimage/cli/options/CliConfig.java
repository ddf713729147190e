package io.thinimage.cli.options;

import io.thinimage.cli.options.CommonOptions.LogFormat;
import io.thinimage.cli.options.CommonOptions.LogLevel;
import io.thinimage.cli.options.CommonOptions.OutputFormat;
import io.thinimage.cli.options.CommonOptions.PoolDriverChoice;
import io.thinimage.core.domain.ThinImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The options of one invocation, resolved: absolute paths, one store URI, a concrete pool driver.
 * Built once by {@link #resolve} and bound in Guice; nothing downstream reads the raw options.
 *
 * @param dataDir the data directory (absolute)
 * @param dbFile the SQLite database file
 * @param blobDir where blobs are stored ({@code --local-dir})
 * @param mountRoot where volumes are mounted while unpacking
 * @param storeUri {@code s3://BUCKET[/PREFIX]} or {@code file:///DIR}
 * @param region AWS region
 * @param s3Endpoint endpoint override, empty for AWS
 * @param anonymous unsigned S3 requests
 * @param driver {@code devicemapper} or {@code directory}
 * @param driverWasAuto whether {@code --pool-driver auto} chose the driver
 * @param poolName the devicemapper pool name
 * @param logLevel stderr log level
 * @param logFormat stderr log format
 * @param output stdout format
 * @param noWait fail instead of waiting for the data-dir lock
 */
public record CliConfig(
    Path dataDir,
    Path dbFile,
    Path blobDir,
    Path mountRoot,
    String storeUri,
    String region,
    String s3Endpoint,
    boolean anonymous,
    String driver,
    boolean driverWasAuto,
    String poolName,
    LogLevel logLevel,
    LogFormat logFormat,
    OutputFormat output,
    boolean noWait) {

  private static final String DATA_DIR_PLACEHOLDER = "<data-dir>";

  /** The host facts resolution depends on, injectable for tests. */
  public record Host(Map<String, String> env, Path devMapperControl, Path home) {
    /** The real host. */
    public static Host current() {
      return new Host(
          System.getenv(),
          Path.of("/dev/mapper/control"),
          Path.of(System.getProperty("user.home", "/root")));
    }
  }

  /** Resolves parsed options against the host. INVALID_INPUT for contradictory options. */
  public static CliConfig resolve(CommonOptions o, Host host) {
    Path dataDir = Path.of(o.dataDir).toAbsolutePath().normalize();
    String store = o.store;
    if (o.bucket != null && !o.bucket.startsWith("<")) {
      if (o.bucket.isBlank() || o.bucket.contains("/")) {
        throw ThinImageException.invalid(
            "bad-option", "--bucket takes a bucket name without slashes, got '" + o.bucket + "'");
      }
      store = "s3://" + o.bucket;
    }
    if (!store.startsWith("s3://") && !store.startsWith("file://")) {
      throw ThinImageException.invalid(
          "bad-option", "--store must be s3://BUCKET[/PREFIX] or file:///DIR, got '" + store + "'");
    }
    String driver;
    boolean auto = o.poolDriver == PoolDriverChoice.auto;
    if (auto) {
      driver = Files.exists(host.devMapperControl()) ? "devicemapper" : "directory";
    } else {
      driver = o.poolDriver.name();
    }
    String endpoint = o.s3Endpoint == null || o.s3Endpoint.startsWith("<") ? "" : o.s3Endpoint;
    return new CliConfig(
        dataDir,
        under(dataDir, o.db),
        under(dataDir, o.localDir),
        under(dataDir, o.mountRoot),
        store,
        o.region,
        endpoint,
        anonymous(o.anonymous, host),
        driver,
        auto,
        o.pool,
        o.logLevel,
        o.logFormat,
        o.output,
        o.noWait);
  }

  /** The data-dir lock file. */
  public Path lockFile() {
    return dataDir.resolve("thinimage.lock");
  }

  /** The JSON log file. */
  public Path logFile() {
    return dataDir.resolve("logs").resolve("thinimage.log");
  }

  /**
   * The directory pool's root (volumes in {@code volumes/}, copies in progress in {@code tmp/}).
   */
  public Path poolDir() {
    return dataDir.resolve("pool");
  }

  /** The devicemapper pool's data backing file. */
  public Path poolDataFile() {
    return dataDir.resolve("pool_data");
  }

  /** The devicemapper pool's metadata backing file. */
  public Path poolMetadataFile() {
    return dataDir.resolve("pool_meta");
  }

  /** The local directory of a {@code file://} store, if it is one. */
  public Optional<Path> localStoreDir() {
    if (!storeUri.startsWith("file://")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(java.net.URI.create(storeUri)));
  }

  private static Path under(Path dataDir, String value) {
    if (value.startsWith(DATA_DIR_PLACEHOLDER)) {
      String rest = value.substring(DATA_DIR_PLACEHOLDER.length());
      while (rest.startsWith("/")) {
        rest = rest.substring(1);
      }
      return dataDir.resolve(rest).normalize();
    }
    return Path.of(value).toAbsolutePath().normalize();
  }

  private static boolean anonymous(String value, Host host) {
    String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "true":
      case "yes":
      case "1":
        return true;
      case "false":
      case "no":
      case "0":
        return false;
      case "auto":
        boolean envCreds =
            host.env().containsKey("AWS_ACCESS_KEY_ID") || host.env().containsKey("AWS_PROFILE");
        boolean fileCreds = Files.exists(host.home().resolve(".aws").resolve("credentials"));
        return !envCreds && !fileCreds;
      default:
        throw ThinImageException.invalid(
            "bad-option", "--anonymous takes true, false or auto, got '" + value + "'");
    }
  }
}
