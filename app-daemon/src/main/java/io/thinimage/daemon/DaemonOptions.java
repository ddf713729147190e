package io.thinimage.daemon;

import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the service listens.
 *
 * @param socket the admin API's Unix socket (its directory is created {@code 0700} when missing;
 *     the socket is made {@code 0600})
 * @param metricsPort the loopback TCP port of {@code /metrics}; 0 disables the TCP listener
 * @param requestDrain how long in-flight admin requests may take to finish at shutdown
 * @param metricBinders more meters for {@code /metrics}, such as the adapters' own (connection
 *     pools, S3 retries: {@code io.thinimage.wiring.AdapterMetrics})
 */
public record DaemonOptions(
    Path socket, int metricsPort, Duration requestDrain, List<MeterBinder> metricBinders) {

  /** The default Prometheus port (the registry's conventional 9464). */
  public static final int DEFAULT_METRICS_PORT = 9464;

  public DaemonOptions {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(requestDrain, "requestDrain");
    metricBinders = List.copyOf(metricBinders);
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("metrics port out of range: " + metricsPort);
    }
    socket = socket.toAbsolutePath().normalize();
  }

  /** Listens on {@code socket} and on {@code metricsPort}, draining requests for 5 s at stop. */
  public static DaemonOptions of(Path socket, int metricsPort) {
    return new DaemonOptions(socket, metricsPort, Duration.ofSeconds(5), List.of());
  }

  /** These options with {@code binders} added to {@code /metrics}. */
  public DaemonOptions withMetrics(List<MeterBinder> binders) {
    return new DaemonOptions(socket, metricsPort, requestDrain, binders);
  }

  /** The default socket of a data directory: {@code <data-dir>/thinimage.sock}. */
  public static Path defaultSocket(Path dataDir) {
    return dataDir.resolve("thinimage.sock");
  }
}
