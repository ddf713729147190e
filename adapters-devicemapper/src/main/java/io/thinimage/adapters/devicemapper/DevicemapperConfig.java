package io.thinimage.adapters.devicemapper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a {@link DevicemapperPool}.
 *
 * @param poolName the thin-pool's device-mapper name (without {@code /dev/mapper/}); volume devices
 *     are named {@code <poolName>-<volume name>}
 * @param mountRoot where volumes are mounted while being written: {@code <mountRoot>/<name>}
 * @param minFreeDataRatio refuse new allocations when the pool's free data fraction is below
 * @param minFreeMetadataRatio refuse new allocations when the free metadata fraction is below
 * @param commandTimeout bound on each dmsetup, mount, sync, umount and thin_ls call
 * @param mkfsTimeout bound on mkfs.ext4
 * @param busyRetries EBUSY retries for remove and delete
 * @param busyRetryDelay pause between EBUSY retries
 * @param mkfsExtendedOptions the {@code mkfs.ext4 -E} list
 * @param useThinLs whether {@code list()} also asks thin_ls for inactive thin ids
 */
public record DevicemapperConfig(
    String poolName,
    Path mountRoot,
    double minFreeDataRatio,
    double minFreeMetadataRatio,
    Duration commandTimeout,
    Duration mkfsTimeout,
    int busyRetries,
    Duration busyRetryDelay,
    String mkfsExtendedOptions,
    boolean useThinLs) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}");

  public DevicemapperConfig {
    Objects.requireNonNull(poolName, "poolName");
    if (!NAME.matcher(poolName).matches()) {
      throw new IllegalArgumentException("pool name must match " + NAME + ": " + poolName);
    }
    Objects.requireNonNull(mountRoot, "mountRoot");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(mkfsTimeout, "mkfsTimeout");
    Objects.requireNonNull(busyRetryDelay, "busyRetryDelay");
    Objects.requireNonNull(mkfsExtendedOptions, "mkfsExtendedOptions");
    if (busyRetries < 0) {
      throw new IllegalArgumentException("busyRetries must be >= 0");
    }
    // validated again by AllocationGuard, with the same bounds
    new AllocationGuard(minFreeDataRatio, minFreeMetadataRatio);
  }

  /**
   * Defaults: 10% free data and metadata required, 60 s per command, 10 min for mkfs, 50 EBUSY
   * retries 100 ms apart (5 s, as long as a udev probe usually holds a fresh device), thin_ls on.
   */
  public static DevicemapperConfig defaults(String poolName, Path mountRoot) {
    return new DevicemapperConfig(
        poolName,
        mountRoot,
        0.10,
        0.10,
        Duration.ofSeconds(60),
        Duration.ofMinutes(10),
        50,
        Duration.ofMillis(100),
        Ext4.DEFAULT_EXTENDED_OPTIONS,
        true);
  }

  /** A copy with other free-space thresholds. */
  public DevicemapperConfig withThresholds(double minFreeData, double minFreeMetadata) {
    return new DevicemapperConfig(
        poolName,
        mountRoot,
        minFreeData,
        minFreeMetadata,
        commandTimeout,
        mkfsTimeout,
        busyRetries,
        busyRetryDelay,
        mkfsExtendedOptions,
        useThinLs);
  }

  /** A copy with other timeouts. */
  public DevicemapperConfig withTimeouts(Duration command, Duration mkfs) {
    return new DevicemapperConfig(
        poolName,
        mountRoot,
        minFreeDataRatio,
        minFreeMetadataRatio,
        command,
        mkfs,
        busyRetries,
        busyRetryDelay,
        mkfsExtendedOptions,
        useThinLs);
  }

  /** A copy with other EBUSY retry settings. */
  public DevicemapperConfig withBusyRetries(int retries, Duration delay) {
    return new DevicemapperConfig(
        poolName,
        mountRoot,
        minFreeDataRatio,
        minFreeMetadataRatio,
        commandTimeout,
        mkfsTimeout,
        retries,
        delay,
        mkfsExtendedOptions,
        useThinLs);
  }
}
