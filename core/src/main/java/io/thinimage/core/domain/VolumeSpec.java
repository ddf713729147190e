package io.thinimage.core.domain;

/**
 * What a pool needs to know about a volume: its thin id (24-bit, allocated in SQLite, never
 * hashed), its name (derived from the id) and its virtual size, used for every table line.
 */
public record VolumeSpec(long thinId, String name, long virtualSizeBytes) {
  /** Thin ids are 24-bit in the kernel's pool metadata. */
  public static final long MAX_THIN_ID = (1L << 24) - 1;

  public VolumeSpec {
    if (thinId < 0 || thinId > MAX_THIN_ID) {
      throw new IllegalArgumentException("thin id out of the 24-bit range: " + thinId);
    }
    if (!name.equals(nameFor(thinId))) {
      throw new IllegalArgumentException("volume name must be derived from its id: " + name);
    }
    if (virtualSizeBytes <= 0 || virtualSizeBytes % 512 != 0) {
      throw new IllegalArgumentException("virtual size must be a positive multiple of 512");
    }
  }

  public static VolumeSpec of(long thinId, long virtualSizeBytes) {
    return new VolumeSpec(thinId, nameFor(thinId), virtualSizeBytes);
  }

  /** The one naming rule: {@code ti-<thinId>}. Pools may prefix it (e.g. with the pool name). */
  public static String nameFor(long thinId) {
    return "ti-" + thinId;
  }

  public long virtualSectors() {
    return virtualSizeBytes / 512;
  }
}
