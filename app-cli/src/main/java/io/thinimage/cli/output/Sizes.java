package io.thinimage.cli.output;

import java.util.Locale;

/** Human-readable byte sizes in binary units (KiB, MiB, GiB), as operators read them. */
public final class Sizes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private Sizes() {}

  /** {@code 0 B}, {@code 1023 B}, {@code 1.0 KiB}, {@code 1.5 MiB}; {@code -} for unknown (-1). */
  public static String human(long bytes) {
    if (bytes < 0) {
      return "-";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int unit = 0;
    while (v >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
  }
}
