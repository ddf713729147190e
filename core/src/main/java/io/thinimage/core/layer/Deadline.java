package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.time.Clock;
import java.time.Instant;

/** The wall-time limit of one layer, read from the injected clock. */
final class Deadline {
  private final Clock clock;
  private final Instant end;

  Deadline(Clock clock, LayerLimits limits) {
    this.clock = clock;
    this.end = clock.instant().plus(limits.maxWallTime());
  }

  /** Fails with {@code layer-timeout} once the limit has passed; {@code where} names the entry. */
  void check(String where) {
    if (clock.instant().isAfter(end)) {
      throw ThinImageException.invalid(
          "layer-timeout", "layer took longer than its wall-time limit, at " + where);
    }
  }
}
