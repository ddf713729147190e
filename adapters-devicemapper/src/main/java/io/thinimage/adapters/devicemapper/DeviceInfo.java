package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ThinImageException;

/**
 * One device-mapper device as {@code dmsetup info -c} shows it: name, numbers, open count and the
 * attribute flags that matter to us (live table loaded, suspended).
 */
public record DeviceInfo(
    String name, int major, int minor, int openCount, boolean live, boolean suspended) {

  /** Parses one {@code name major minor attr open} line (space separated). */
  static DeviceInfo parse(String line) {
    String[] f = line.strip().split(" +");
    if (f.length != 5) {
      throw ThinImageException.internal(
          "dm-info-unparsable", "cannot parse dmsetup info line: " + line, null);
    }
    String attr = f[3];
    return new DeviceInfo(
        f[0],
        Integer.parseInt(f[1]),
        Integer.parseInt(f[2]),
        Integer.parseInt(f[4]),
        attr.indexOf('L') >= 0,
        attr.indexOf('s') >= 0);
  }
}
