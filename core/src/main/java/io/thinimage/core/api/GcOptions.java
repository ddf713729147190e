package io.thinimage.core.api;

import io.thinimage.core.domain.ThinImageException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link ImageManager#gc(GcOptions)} runs.
 *
 * @param force act on the findings (false: only report them)
 * @param unusedFor the optional retention: images and cached blobs not used for this long are
 *     collected as well; empty (the default) collects only leftovers
 */
public record GcOptions(boolean force, Optional<Duration> unusedFor) {
  /** The longest retention: 100 years, far beyond any use and short of clock overflow. */
  public static final Duration MAX_RETENTION = Duration.ofDays(36_500);

  /**
   * Refuses a zero or negative retention ("unused for 0 days" would expire everything) and one
   * longer than {@link #MAX_RETENTION} (now minus it would overflow the clock).
   */
  public GcOptions {
    Objects.requireNonNull(unusedFor, "unusedFor");
    unusedFor.ifPresent(
        d -> {
          if (d.isZero() || d.isNegative()) {
            throw ThinImageException.invalid(
                "bad-retention", "the retention must be positive, got " + d);
          }
          if (d.compareTo(MAX_RETENTION) > 0) {
            throw ThinImageException.invalid(
                "bad-retention", "the retention must be at most 36500 days, got " + d);
          }
        });
  }

  /** Leftovers only, acted on when {@code force}. */
  public static GcOptions of(boolean force) {
    return new GcOptions(force, Optional.empty());
  }

  /** These options with a retention of {@code age}. */
  public GcOptions withUnusedFor(Duration age) {
    return new GcOptions(force, Optional.of(age));
  }
}
