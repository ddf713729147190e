package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's mount table as {@code /proc/self/mountinfo} shows it (proc(5)). Mount points are
 * compared exactly, after undoing the kernel's octal escapes ({@code \040} space, {@code \011} tab,
 * {@code \012} newline, {@code \134} backslash): a substring search would confuse {@code ti-1} with
 * {@code ti-12}.
 */
public final class MountInfo {
  /** The mount table of this process's mount namespace. */
  public static final Path SELF = Paths.get("/proc/self/mountinfo");

  private MountInfo() {}

  /** One mount: its mount point, filesystem type, source and per-mount options. */
  public record Entry(
      int mountId, String root, String mountPoint, String options, String fsType, String source) {}

  /** Reads and parses a mountinfo file. */
  public static List<Entry> read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "mountinfo-unreadable", "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses mountinfo text; malformed lines are an error (the table is the kernel's). */
  public static List<Entry> parse(String text) {
    List<Entry> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(" ");
      int sep = -1;
      for (int i = 6; i < f.length; i++) {
        if ("-".equals(f[i])) {
          sep = i;
          break;
        }
      }
      if (f.length < 10 || sep < 0 || sep + 2 >= f.length) {
        throw ThinImageException.internal(
            "mountinfo-unparsable", "malformed mountinfo line: " + line, null);
      }
      out.add(
          new Entry(
              Integer.parseInt(f[0]),
              unescape(f[3]),
              unescape(f[4]),
              f[5],
              unescape(f[sep + 1]),
              unescape(f[sep + 2])));
    }
    return out;
  }

  /** The last (topmost) mount at exactly {@code mountPoint}, if any. */
  public static Optional<Entry> at(List<Entry> table, Path mountPoint) {
    String want = mountPoint.toAbsolutePath().normalize().toString();
    Entry found = null;
    for (Entry e : table) {
      if (e.mountPoint().equals(want)) {
        found = e;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Undoes the kernel's {@code \ooo} escapes. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
