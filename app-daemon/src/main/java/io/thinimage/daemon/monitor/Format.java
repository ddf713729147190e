package io.thinimage.daemon.monitor;

import java.util.Locale;

/** Small text formats shared by the dashboard and the plain report. */
final class Format {
  private Format() {}

  /** {@code 1.5 GiB}; {@code -} for unknown (negative) sizes. */
  static String bytes(long b) {
    if (b < 0) {
      return "-";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? b + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** {@code 12.0 MiB / 1.0 GiB (1%)}. */
  static String usage(long used, long total) {
    if (used < 0 || total <= 0) {
      return bytes(used) + " / " + bytes(total);
    }
    return bytes(used) + " / " + bytes(total) + " (" + (used * 100 / total) + "%)";
  }

  /** The pipeline stage as {@code FETCH 2/4 ##..}, or just the state for other machines. */
  static String progress(DashboardData.RunRow r) {
    if (r.steps() <= 0 || r.step() <= 0) {
      return r.state();
    }
    return r.state()
        + " "
        + r.step()
        + "/"
        + r.steps()
        + " "
        + "#".repeat(r.step())
        + ".".repeat(Math.max(0, r.steps() - r.step()));
  }

  /** The end of {@code s} in {@code width} columns: paths keep their file name. */
  static String tail(String s, int width) {
    if (s == null) {
      return "";
    }
    return s.length() <= width ? s : "…" + s.substring(s.length() - Math.max(0, width - 1));
  }

  /** {@code s} cut to {@code width} with an ellipsis. */
  static String fit(String s, int width) {
    if (s == null) {
      return "";
    }
    return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "…";
  }
}
