package io.thinimage.wiring;

/** Which {@link io.thinimage.core.port.BlockDevicePool} holds the volumes. */
public enum PoolDriver {
  /** Plain directories under the data dir: no root, no kernel features, copies instead of CoW. */
  DIRECTORY,
  /** A devicemapper thin-pool driven through {@code dmsetup}: needs root and dm-thin-pool. */
  DEVICEMAPPER
}
