package io.thinimage.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the service listens.
 *
 * @param socket the admin API's Unix socket (its directory is created {@code 0700} when missing;
 *     the socket is made {@code 0600})
 * @param metricsPort the loopback TCP port of {@code /metrics}; 0 disables the TCP listener
 * @param requestDrain how long in-flight admin requests may take to finish at shutdown
 */
public record DaemonOptions(Path socket, int metricsPort, Duration requestDrain) {

  /** The default Prometheus port (the registry's conventional 9464). */
  public static final int DEFAULT_METRICS_PORT = 9464;

  public DaemonOptions {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(requestDrain, "requestDrain");
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("metrics port out of range: " + metricsPort);
    }
    socket = socket.toAbsolutePath().normalize();
  }

  /** Listens on {@code socket} and on {@code metricsPort}, draining requests for 5 s at stop. */
  public static DaemonOptions of(Path socket, int metricsPort) {
    return new DaemonOptions(socket, metricsPort, Duration.ofSeconds(5));
  }

  /** The default socket of a data directory: {@code <data-dir>/thinimage.sock}. */
  public static Path defaultSocket(Path dataDir) {
    return dataDir.resolve("thinimage.sock");
  }
}
