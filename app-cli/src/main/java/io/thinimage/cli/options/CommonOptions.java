package io.thinimage.cli.options;

import picocli.CommandLine.Option;

/**
 * The options every command takes (a picocli mixin). Each has an environment variable {@code
 * THINIMAGE_*} and a default shown in {@code --help}. Paths written {@code <data-dir>/...} are
 * resolved against {@code --data-dir} by {@link CliConfig#resolve}.
 */
public final class CommonOptions {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:THINIMAGE_DATA_DIR:-/var/lib/thinimage}",
      description =
          "Where everything lives: the database, blobs/, pool files and mounts."
              + " Env THINIMAGE_DATA_DIR. Default: ${DEFAULT-VALUE}")
  public String dataDir;

  @Option(
      names = "--db",
      paramLabel = "FILE",
      defaultValue = "${env:THINIMAGE_DB:-<data-dir>/thinimage.db}",
      description = "SQLite database file. Env THINIMAGE_DB. Default: ${DEFAULT-VALUE}")
  public String db;

  @Option(
      names = "--store",
      paramLabel = "URI",
      defaultValue = "${env:THINIMAGE_STORE:-s3://flyio-platform-hiring-challenge}",
      description =
          "Where layers come from: s3://BUCKET[/PREFIX] or file:///DIR."
              + " Env THINIMAGE_STORE. Default: ${DEFAULT-VALUE}")
  public String store;

  @Option(
      names = "--bucket",
      paramLabel = "NAME",
      defaultValue = "${env:THINIMAGE_BUCKET:-<from --store>}",
      description =
          "S3 bucket (the seed's flag): same as --store s3://NAME."
              + " Env THINIMAGE_BUCKET. Default: ${DEFAULT-VALUE}")
  public String bucket;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      defaultValue = "${env:THINIMAGE_REGION:-us-east-1}",
      description = "AWS region of the bucket. Env THINIMAGE_REGION. Default: ${DEFAULT-VALUE}")
  public String region;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      defaultValue = "${env:THINIMAGE_S3_ENDPOINT:-<aws>}",
      description =
          "S3-compatible endpoint (path-style), e.g. http://127.0.0.1:9000."
              + " Env THINIMAGE_S3_ENDPOINT. Default: ${DEFAULT-VALUE}")
  public String s3Endpoint;

  @Option(
      names = "--anonymous",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:THINIMAGE_ANONYMOUS:-auto}",
      description =
          "Unsigned S3 requests (public buckets). auto = anonymous when no AWS credentials are"
              + " configured. Env THINIMAGE_ANONYMOUS. Default: ${DEFAULT-VALUE}")
  public String anonymous;

  @Option(
      names = "--pool-driver",
      paramLabel = "DRIVER",
      defaultValue = "${env:THINIMAGE_POOL_DRIVER:-auto}",
      description =
          "devicemapper, directory or auto (devicemapper when /dev/mapper/control exists)."
              + " Env THINIMAGE_POOL_DRIVER. Default: ${DEFAULT-VALUE}")
  public PoolDriverChoice poolDriver;

  @Option(
      names = "--pool",
      paramLabel = "NAME",
      defaultValue = "${env:THINIMAGE_POOL:-pool}",
      description =
          "devicemapper thin-pool name (the directory driver keeps volumes in <data-dir>/pool)."
              + " Env THINIMAGE_POOL. Default: ${DEFAULT-VALUE}")
  public String pool;

  @Option(
      names = "--mount-root",
      paramLabel = "DIR",
      defaultValue = "${env:THINIMAGE_MOUNT_ROOT:-<data-dir>/mounts}",
      description =
          "Where volumes are mounted while layers are unpacked."
              + " Env THINIMAGE_MOUNT_ROOT. Default: ${DEFAULT-VALUE}")
  public String mountRoot;

  @Option(
      names = "--local-dir",
      paramLabel = "DIR",
      defaultValue = "${env:THINIMAGE_LOCAL_DIR:-<data-dir>/blobs}",
      description =
          "Downloaded blobs, stored once by sha256 (the seed's flag)."
              + " Env THINIMAGE_LOCAL_DIR. Default: ${DEFAULT-VALUE}")
  public String localDir;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "${env:THINIMAGE_LOG_LEVEL:-warn}",
      description =
          "stderr log level: debug, info, warn, error, off (the log file under <data-dir>/logs"
              + " always gets info). Env THINIMAGE_LOG_LEVEL. Default: ${DEFAULT-VALUE}")
  public LogLevel logLevel;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "${env:THINIMAGE_LOG_FORMAT:-human}",
      description =
          "stderr log format: human or json. Env THINIMAGE_LOG_FORMAT. Default: ${DEFAULT-VALUE}")
  public LogFormat logFormat;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "${env:THINIMAGE_OUTPUT:-text}",
      description =
          "Result format on stdout: text or json. Env THINIMAGE_OUTPUT. Default: ${DEFAULT-VALUE}")
  public OutputFormat output;

  @Option(
      names = "--no-wait",
      defaultValue = "${env:THINIMAGE_NO_WAIT:-false}",
      description =
          "Fail at once (exit 6) instead of waiting when another process holds the data dir."
              + " Env THINIMAGE_NO_WAIT. Default: ${DEFAULT-VALUE}")
  public boolean noWait;

  @Option(
      names = "--health-thresholds",
      paramLabel = "NAME=VALUE,...",
      defaultValue = "${env:THINIMAGE_HEALTH_THRESHOLDS:-none}",
      description =
          "Change health-gate thresholds (docs/operations.md lists the names, e.g."
              + " memory-psi-unsafe=30,pool-unsafe=85). Devicemapper starts from the documented"
              + " defaults, the directory pool from report-only. Env THINIMAGE_HEALTH_THRESHOLDS. Default: ${DEFAULT-VALUE}")
  public String healthThresholds;

  @Option(
      names = "--unsafe-wait",
      paramLabel = "DURATION",
      defaultValue = "${env:THINIMAGE_UNSAFE_WAIT:-2m}",
      description =
          "How long a command waits for an unsafe host or pool to turn safe before it exits 5"
              + " (the run stays resumable), e.g. 30s, 2m. Env THINIMAGE_UNSAFE_WAIT."
              + " Default: ${DEFAULT-VALUE}")
  public String unsafeWait;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      defaultValue = "${env:THINIMAGE_SOCKET:-<data-dir>/thinimage.sock}",
      description =
          "The daemon's admin socket. When a daemon answers there, process-image, list-*,"
              + " status, activate, deactivate, delete, gc and backup go through it instead of"
              + " opening the data dir. Env THINIMAGE_SOCKET. Default: ${DEFAULT-VALUE}")
  public String socket;

  /** Which pool driver to use. */
  public enum PoolDriverChoice {
    devicemapper,
    directory,
    auto
  }

  /** Result format on stdout. */
  public enum OutputFormat {
    text,
    json
  }

  /** stderr log format. */
  public enum LogFormat {
    human,
    json
  }

  /** stderr log levels. */
  public enum LogLevel {
    debug,
    info,
    warn,
    error,
    off
  }
}
