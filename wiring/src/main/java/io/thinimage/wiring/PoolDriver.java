package io.thinimage.wiring;

/** Which {@link io.thinimage.core.port.BlockDevicePool} holds the volumes. */
public enum PoolDriver {
  /** Plain directories under the data dir: no root, no kernel features, copies instead of CoW. */
  DIRECTORY,
  /** A devicemapper thin-pool driven through {@code dmsetup}: needs root and dm-thin-pool. */
  DEVICEMAPPER;

  /**
   * The driver an operator names: {@code directory} or {@code devicemapper} (any case).
   * INVALID_INPUT otherwise; {@code auto} is resolved by the caller, which knows the host.
   */
  public static PoolDriver named(String name) {
    for (PoolDriver d : values()) {
      if (d.name().equalsIgnoreCase(name)) {
        return d;
      }
    }
    throw io.thinimage.core.domain.ThinImageException.invalid(
        "bad-option", "pool driver must be directory or devicemapper, got '" + name + "'");
  }
}
