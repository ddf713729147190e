package io.thinimage.core.port;

import io.thinimage.core.domain.VolumeSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * A pool of copy-on-write volumes: a devicemapper thin-pool, or directories for hosts without
 * device-mapper. Volumes are named and numbered by the caller ({@link VolumeSpec}); the pool never
 * invents ids.
 *
 * <p>Every mutation is idempotent for the caller's own volume: creating a volume that exists with
 * that id succeeds, deleting one that does not exist succeeds, unmounting one that is not mounted
 * succeeds. Failures are {@link io.thinimage.core.domain.ThinImageException}s: UNSAFE when the pool
 * refuses new allocations (nearly full, read-only, needs_check, failed), TRANSIENT for a busy
 * device or a timed-out command, NOT_FOUND when an origin or volume that must exist does not.
 * Implementations serialise their own mutations.
 */
public interface BlockDevicePool {

  /** The driver name shown to operators: {@code devicemapper} or {@code directory}. */
  String driver();

  /** The pool's current state: capacity, mode, and whether it accepts new allocations. */
  PoolStatus status();

  /**
   * Creates an empty volume with a fresh filesystem on it. Idempotent: if a volume with this thin
   * id exists, nothing is created and its filesystem is made if missing.
   */
  void createVolume(VolumeSpec volume);

  /**
   * Creates {@code snapshot} as a copy-on-write snapshot of {@code origin} (which must exist and
   * may be in use). Idempotent: if {@code snapshot} exists, succeeds without touching it.
   */
  void createSnapshot(VolumeSpec origin, VolumeSpec snapshot);

  /**
   * Makes the volume's filesystem writable at a host directory ({@code nosuid,nodev}) and returns
   * that directory. Idempotent: a mounted volume returns its existing mount point.
   */
  Path mount(VolumeSpec volume);

  /**
   * Flushes and unmounts the volume's filesystem, verified against the mount table, and deactivates
   * its device. Idempotent: a volume that is not mounted or not active succeeds.
   */
  void unmount(VolumeSpec volume);

  /**
   * Exposes the volume as a device for a consumer and returns its path ({@code /dev/mapper/...}, or
   * the volume's directory for the directory pool). Idempotent.
   */
  String activate(VolumeSpec volume);

  /** Removes the consumer device of a volume (data kept). Idempotent. */
  void deactivate(VolumeSpec volume);

  /**
   * Deletes the volume and its data. Idempotent: a volume that does not exist succeeds. A mounted
   * or busy volume fails with TRANSIENT (never forced).
   */
  void delete(VolumeSpec volume);

  /**
   * Every volume of ours the pool has now, active or not, for reconcile and gc. Volumes not named
   * by {@link VolumeSpec#nameFor} are never listed (and never touched).
   */
  List<PoolVolume> list();

  /**
   * Whether {@link #list()} shows inactive volumes too. When it does not (devicemapper without
   * {@code thin_ls}), a recorded volume missing from the list may well exist, and gc must not
   * forget its record.
   */
  default boolean listsInactiveVolumes() {
    return true;
  }

  /**
   * Scratch left by interrupted pool operations that no volume owns (a half copy, a volume moved
   * aside to be deleted), for gc. Only meaningful while no pool operation is in progress, which gc
   * --force ensures; none by default.
   */
  default List<String> debris() {
    return List.of();
  }

  /** Removes one item of {@link #debris()}. Idempotent; refuses anything else. */
  default void deleteDebris(String item) {
    throw new IllegalArgumentException("no pool debris: " + item);
  }

  /** A volume as the pool sees it. */
  record PoolVolume(long thinId, boolean active, boolean mounted, String devicePath) {}

  /** Capacity and health of the pool. Sizes are bytes; -1 where the driver cannot tell. */
  record PoolStatus(
      String driver,
      long dataUsedBytes,
      long dataTotalBytes,
      long metadataUsedBytes,
      long metadataTotalBytes,
      String mode,
      boolean acceptsAllocations,
      String refusalReason) {}
}
