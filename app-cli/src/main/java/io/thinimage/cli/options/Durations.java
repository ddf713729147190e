package io.thinimage.cli.options;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The duration syntax every option shares: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h},
 * {@code 30d}, or ISO-8601 ({@code PT2M}, {@code P30D}). Each option adds its own bounds and its
 * own error.
 */
final class Durations {
  private Durations() {}

  /** The duration {@code text} names, or empty when it is not one (including overflow). */
  static Optional<Duration> parse(String text) {
    String v = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Optional.of(Duration.parse(v.toUpperCase(Locale.ROOT)));
      }
      if (v.endsWith("ms")) {
        return Optional.of(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Optional.of(Duration.ofSeconds(n));
        case 'm' -> Optional.of(Duration.ofMinutes(n));
        case 'h' -> Optional.of(Duration.ofHours(n));
        case 'd' -> Optional.of(Duration.ofDays(n));
        default -> Optional.empty();
      };
    } catch (RuntimeException e) {
      return Optional.empty(); // not a number, empty text, or too large for a Duration
    }
  }
}
