package io.thinimage.cli.options;

import io.thinimage.adapters.host.HealthThresholds;
import io.thinimage.cli.options.CommonOptions.LogFormat;
import io.thinimage.cli.options.CommonOptions.LogLevel;
import io.thinimage.cli.options.CommonOptions.OutputFormat;
import io.thinimage.cli.options.CommonOptions.PoolDriverChoice;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.wiring.HostSettings;
import io.thinimage.wiring.PoolDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * @param healthThresholds {@code --health-thresholds} changes, by threshold name
 * @param unsafeWait how long to wait for an unsafe host or pool before exiting 5
 * @param socket the daemon's admin socket
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
    boolean noWait,
    Map<String, Double> healthThresholds,
    Duration unsafeWait,
    Path socket) {

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
        o.noWait,
        thresholds(o.healthThresholds),
        duration("--unsafe-wait", o.unsafeWait),
        under(dataDir, o.socket));
  }

  /**
   * What the default module set needs: these options as {@link HostSettings}, resuming unfinished
   * runs at build only when {@code resumeOnBuild}.
   */
  public HostSettings hostSettings(ManagerConfig manager, boolean resumeOnBuild) {
    HostSettings s =
        HostSettings.under(dataDir, storeUri, PoolDriver.named(driver))
            .withPaths(dbFile, blobDir, mountRoot)
            .withS3(region, s3Endpoint, anonymous)
            .withPoolName(poolName)
            .withManager(manager.withUnsafeWait(unsafeWait))
            .withResumeOnBuild(resumeOnBuild);
    if (!healthThresholds.isEmpty()) {
      HealthThresholds t = s.effectiveHealth();
      for (Map.Entry<String, Double> e : healthThresholds.entrySet()) {
        t = t.with(e.getKey(), e.getValue());
      }
      s = s.withHealth(t);
    }
    return s;
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

  private static Map<String, Double> thresholds(String value) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (value == null || value.isBlank() || "none".equals(value.strip())) {
      return out;
    }
    for (String pair : value.split(",")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
      if (eq < 0 || !HealthThresholds.NAMES.contains(name)) {
        throw ThinImageException.invalid(
            "bad-option",
            "--health-thresholds takes NAME=VALUE pairs with NAME one of "
                + String.join(", ", HealthThresholds.NAMES)
                + ", got '"
                + pair.strip()
                + "'");
      }
      try {
        out.put(name, Double.parseDouble(pair.substring(eq + 1).strip()));
      } catch (NumberFormatException e) {
        throw ThinImageException.invalid(
            "bad-option", "--health-thresholds " + name + " needs a number, got '" + pair + "'");
      }
    }
    return out;
  }

  /** A duration in the shared syntax ({@link Durations}), or a bad-option error naming it. */
  static Duration duration(String option, String value) {
    return Durations.parse(value)
        .orElseThrow(
            () ->
                ThinImageException.invalid(
                    "bad-option",
                    option
                        + " takes a duration such as 500ms, 30s, 2m or 1h, got '"
                        + value
                        + "'"));
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
