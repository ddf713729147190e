package io.thinimage.adapters.sqlite;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SqliteImageRepository} is tuned.
 *
 * @param busyTimeout how long a connection waits for another process's lock before giving up
 * @param checkpointInterval how often a PASSIVE WAL checkpoint runs; zero disables it
 * @param walWarningBytes WAL size above which {@code info().walLarge()} is true
 * @param synchronous FULL (the default: a commit survives power loss) or NORMAL (benchmarks only:
 *     the last commits may be lost on power loss, never on a process crash)
 * @param readPoolSize connections in the read pool
 */
public record SqliteOptions(
    Duration busyTimeout,
    Duration checkpointInterval,
    long walWarningBytes,
    Synchronous synchronous,
    int readPoolSize) {

  /** The durability levels offered; OFF is not one of them. */
  public enum Synchronous {
    /** fsync on every commit: what the product runs with. */
    FULL,
    /** fsync at checkpoints only; for measurements. */
    NORMAL
  }

  public SqliteOptions {
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    Objects.requireNonNull(synchronous, "synchronous");
    if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("busy timeout out of range: " + busyTimeout);
    }
    if (checkpointInterval.isNegative()) {
      throw new IllegalArgumentException("negative checkpoint interval: " + checkpointInterval);
    }
    if (walWarningBytes <= 0) {
      throw new IllegalArgumentException("WAL warning threshold must be positive");
    }
    if (readPoolSize < 1) {
      throw new IllegalArgumentException("the read pool needs at least one connection");
    }
  }

  /** 10 s busy timeout, a checkpoint a minute, warn above 64 MiB of WAL, FULL, 4 readers. */
  public static SqliteOptions defaults() {
    return new SqliteOptions(
        Duration.ofSeconds(10), Duration.ofSeconds(60), 64L << 20, Synchronous.FULL, 4);
  }

  public SqliteOptions withSynchronous(Synchronous s) {
    return new SqliteOptions(busyTimeout, checkpointInterval, walWarningBytes, s, readPoolSize);
  }

  public SqliteOptions withCheckpointInterval(Duration d) {
    return new SqliteOptions(busyTimeout, d, walWarningBytes, synchronous, readPoolSize);
  }

  public SqliteOptions withWalWarningBytes(long bytes) {
    return new SqliteOptions(busyTimeout, checkpointInterval, bytes, synchronous, readPoolSize);
  }
}
