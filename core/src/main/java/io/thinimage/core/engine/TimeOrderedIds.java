package io.thinimage.core.engine;

import io.thinimage.core.port.IdSource;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;

/**
 * Ids that sort by creation time: {@code <prefix>-<12 hex millis><10 hex random>}. Unique across
 * processes by their random part.
 */
public final class TimeOrderedIds implements IdSource {
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TimeOrderedIds(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String newId(String prefix) {
    long r = random.nextLong() & 0xFF_FFFF_FFFFL;
    return String.format(Locale.ROOT, "%s-%012x%010x", prefix, clock.millis(), r);
  }
}
