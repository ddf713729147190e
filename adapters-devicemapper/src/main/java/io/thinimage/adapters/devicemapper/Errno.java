package io.thinimage.adapters.devicemapper;

import java.util.Locale;

/**
 * The errno a failed device-mapper or mount command reported, recovered from its (untranslated,
 * {@code LC_ALL=C}) error text. Decisions are taken on these values, never on message text.
 */
public enum Errno {
  EPERM("operation not permitted"),
  ENOENT("no such file or directory"),
  EIO("input/output error"),
  ENXIO("no such device or address"),
  ENOMEM("cannot allocate memory"),
  EACCES("permission denied"),
  EBUSY("device or resource busy"),
  EEXIST("file exists"),
  ENODEV("no such device"),
  EINVAL("invalid argument"),
  ENOSPC("no space left on device"),
  EROFS("read-only file system"),
  ENODATA("no data available"),
  EOPNOTSUPP("operation not supported"),
  ETIMEDOUT("connection timed out"),
  /** The command failed but said nothing we recognise. */
  UNKNOWN("");

  private final String strerror;

  Errno(String strerror) {
    this.strerror = strerror;
  }

  /** The C library's {@code strerror} text, lower-case. */
  public String strerror() {
    return strerror;
  }

  /**
   * Classifies a command's error output. libdevmapper prints {@code <op> ioctl on <name> failed:
   * <strerror>} (and {@code open failed: <strerror>} for the control node); dmsetup prints {@code
   * Device <name> not found} or {@code Device does not exist.} for a missing device, which is
   * ENXIO. The first line that classifies wins.
   */
  public static Errno classify(String output) {
    for (String raw : output.split("\n")) {
      String line = raw.strip().toLowerCase(Locale.ROOT);
      if (line.isEmpty()) {
        continue;
      }
      int failed = line.lastIndexOf("failed: ");
      if (failed >= 0) {
        Errno e = fromStrerror(line.substring(failed + "failed: ".length()));
        if (e != UNKNOWN) {
          return e;
        }
      }
      if (line.endsWith(" not found")
          || line.startsWith("device does not exist")
          || line.contains("no such device or address")) {
        return ENXIO;
      }
      Errno anywhere = containsStrerror(line);
      if (anywhere != UNKNOWN) {
        return anywhere;
      }
    }
    return UNKNOWN;
  }

  private static Errno fromStrerror(String text) {
    String t = text.strip();
    for (Errno e : values()) {
      if (e != UNKNOWN && t.startsWith(e.strerror)) {
        return e;
      }
    }
    return UNKNOWN;
  }

  /**
   * Tools other than dmsetup (umount, mount, cp) print {@code <what>: <strerror>} or {@code target
   * is busy}; the longest matching strerror wins so ENODEV does not shadow ENXIO's text.
   */
  private static Errno containsStrerror(String line) {
    if (line.contains("target is busy")) {
      return EBUSY;
    }
    Errno best = UNKNOWN;
    for (Errno e : values()) {
      if (e != UNKNOWN
          && line.contains(e.strerror)
          && e.strerror.length() > best.strerror.length()) {
        best = e;
      }
    }
    return best;
  }
}
