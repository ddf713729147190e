package io.thinimage.cli.options;

import io.thinimage.core.api.GcOptions;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses gc's retention: {@code 30d}, {@code 12h}, {@code 90m} or ISO-8601 ({@code P30D}, {@code
 * PT12H}); {@code off} is no retention (null). Zero, negative and more than 100 years are refused:
 * gc deletes what is older, so a typo must not turn into "everything".
 */
public final class RetentionAge implements ITypeConverter<Duration> {
  /** The longest retention accepted: the core's limit. */
  public static final Duration MAX = GcOptions.MAX_RETENTION;

  private static final String EXAMPLES = " (examples: 30d, 12h, 90m, P30D, off)";

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** The retention {@code text} names, or null for {@code off}. */
  public static Duration parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.equals("off")) {
      return null;
    }
    Duration d =
        Durations.parse(s)
            .orElseThrow(
                () -> new TypeConversionException("'" + text + "' is not a duration" + EXAMPLES));
    if (d.isZero() || d.isNegative()) {
      throw new TypeConversionException("'" + text + "' is not a positive duration" + EXAMPLES);
    }
    if (d.compareTo(MAX) > 0) {
      throw new TypeConversionException("'" + text + "' is longer than 100 years");
    }
    return d;
  }

  /** {@code d} as the shortest form {@link #parse} reads back: {@code 30d}, {@code 12h}, ... */
  public static String format(Duration d) {
    if (d.toNanos() % Duration.ofDays(1).toNanos() == 0) {
      return d.toDays() + "d";
    } else if (d.toNanos() % Duration.ofHours(1).toNanos() == 0) {
      return d.toHours() + "h";
    } else if (d.toNanos() % Duration.ofMinutes(1).toNanos() == 0) {
      return d.toMinutes() + "m";
    }
    return d.toString();
  }
}
