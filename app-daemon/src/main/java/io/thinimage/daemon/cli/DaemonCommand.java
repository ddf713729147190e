package io.thinimage.daemon.cli;

import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import io.thinimage.daemon.DaemonMain;
import io.thinimage.daemon.DaemonOptions;
import io.thinimage.daemon.ThinimageDaemon;
import io.thinimage.wiring.HostSettings;
import io.thinimage.wiring.PoolDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daemon}, standalone: wires a manager from its own options and runs {@link ThinimageDaemon}
 * over the default module set. The CLI's {@code thinimage daemon} is the same service with the
 * CLI's options (every {@code THINIMAGE_*} variable, the data-dir lock).
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Run the thinimage service: an admin API on a Unix socket, Prometheus metrics on loopback,"
          + " unfinished runs resumed; SIGTERM drains and exits 0."
    })
public final class DaemonCommand implements Callable<Integer> {

  @Option(
      names = "--data-dir",
      defaultValue = "${env:THINIMAGE_DATA_DIR:-/var/lib/thinimage}",
      description = "Data directory (database, blobs, pool). Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(
      names = "--store",
      defaultValue = "${env:THINIMAGE_STORE:-s3://flyio-platform-hiring-challenge}",
      description = "Where layers come from: s3://BUCKET[/PREFIX] or file:///DIR.")
  String store;

  @Option(names = "--region", defaultValue = "${env:THINIMAGE_REGION:-us-east-1}")
  String region;

  @Option(
      names = "--s3-endpoint",
      defaultValue = "${env:THINIMAGE_S3_ENDPOINT:-}",
      description = "S3 endpoint override (path-style).")
  String s3Endpoint;

  @Option(names = "--anonymous", description = "Unsigned S3 requests (public buckets).")
  boolean anonymous;

  @Option(
      names = "--pool-driver",
      defaultValue = "${env:THINIMAGE_POOL_DRIVER:-auto}",
      description = "auto, devicemapper or directory. Default: ${DEFAULT-VALUE}.")
  String poolDriver;

  @Option(names = "--pool", defaultValue = "${env:THINIMAGE_POOL:-pool}")
  String poolName;

  @Option(
      names = "--socket",
      defaultValue = "${env:THINIMAGE_SOCKET:-<data-dir>/thinimage.sock}",
      description = "Admin API socket. Default: ${DEFAULT-VALUE}.")
  String socket;

  @Option(
      names = "--metrics-port",
      defaultValue = "9464",
      description = "Loopback port of /metrics; 0 disables. Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(names = "--download-queue", defaultValue = "5", description = "Concurrent downloads.")
  int downloads;

  @Option(names = "--unpack-queue", defaultValue = "2", description = "Concurrent unpacks.")
  int unpacks;

  private final UnaryOperator<ObjectStore> decorate;

  /** The command with the store used as configured. */
  public DaemonCommand() {
    this(UnaryOperator.identity());
  }

  /** The command with the object store wrapped by {@code decorate} (embedding, fault tests). */
  public DaemonCommand(UnaryOperator<ObjectStore> decorate) {
    this.decorate = decorate;
  }

  @Override
  public Integer call() {
    try {
      Path data = dataDir.toAbsolutePath().normalize();
      Path sock =
          socket.startsWith("<data-dir>")
              ? DaemonOptions.defaultSocket(data)
              : Path.of(socket).toAbsolutePath();
      String driver = poolDriver;
      if ("auto".equals(driver)) {
        driver = Files.exists(Path.of("/dev/mapper/control")) ? "devicemapper" : "directory";
      }
      if (downloads < 1 || unpacks < 1) {
        throw ThinImageException.invalid("bad-option", "queue sizes must be at least 1");
      }
      HostSettings settings =
          HostSettings.under(data, store, PoolDriver.named(driver))
              .withS3(region, s3Endpoint, anonymous)
              .withPoolName(poolName)
              .withManager(ManagerConfig.defaults().withConcurrency(downloads, unpacks))
              // resumed in the background once the socket answers
              .withResumeOnBuild(false);
      return DaemonMain.serve(settings, DaemonOptions.of(sock, metricsPort), decorate);
    } catch (ThinImageException e) {
      System.err.println("thinimage daemon: " + e.getMessage() + " (" + e.code() + ")");
      return e.kind().exitCode();
    }
  }
}
