package io.thinimage.adapters.devicemapper;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to build a loop-backed thin-pool. Units are the kernel's: sizes in bytes, the data block size
 * in 512-byte sectors, the low water mark in data blocks.
 *
 * @param poolName device-mapper name of the pool
 * @param dataFile backing file of the data device (created sparse if absent, never truncated)
 * @param metadataFile backing file of the metadata device (same rules)
 * @param dataSizeBytes size of a new data file; an existing file keeps its size
 * @param metadataSizeBytes size of a new metadata file (kernel guide: 48 * data / block size, at
 *     least 2 MiB)
 * @param dataBlockSectors 128..2097152, a multiple of 128 (64 KiB .. 1 GiB)
 * @param lowWaterMarkBlocks free data blocks under which the kernel raises an event
 * @param errorIfNoSpace fail writes at once when data space runs out instead of queueing them
 */
public record PoolSetupOptions(
    String poolName,
    Path dataFile,
    Path metadataFile,
    long dataSizeBytes,
    long metadataSizeBytes,
    long dataBlockSectors,
    long lowWaterMarkBlocks,
    boolean errorIfNoSpace) {
  /** Smallest metadata device the kernel accepts for a pool. */
  public static final long MIN_METADATA_BYTES = 2L * 1024 * 1024;

  public PoolSetupOptions {
    Objects.requireNonNull(poolName, "poolName");
    Objects.requireNonNull(dataFile, "dataFile");
    Objects.requireNonNull(metadataFile, "metadataFile");
    if (dataBlockSectors < 128 || dataBlockSectors > 2_097_152 || dataBlockSectors % 128 != 0) {
      throw new IllegalArgumentException(
          "data block size must be 128..2097152 sectors and a multiple of 128: "
              + dataBlockSectors);
    }
    if (dataSizeBytes < dataBlockSectors * 512) {
      throw new IllegalArgumentException("data size must hold at least one data block");
    }
    if (metadataSizeBytes < MIN_METADATA_BYTES) {
      throw new IllegalArgumentException("metadata size must be at least 2 MiB");
    }
    if (lowWaterMarkBlocks < 0) {
      throw new IllegalArgumentException("low water mark must be >= 0 blocks");
    }
    if (dataFile.equals(metadataFile)) {
      throw new IllegalArgumentException("data and metadata files must differ");
    }
  }

  /** The kernel's sizing guide for the metadata device, rounded up to 2 MiB minimum. */
  public static long recommendedMetadataBytes(long dataSizeBytes, long dataBlockSectors) {
    long guide = 48 * (dataSizeBytes / (dataBlockSectors * 512));
    return Math.max(MIN_METADATA_BYTES, (guide + 4095) / 4096 * 4096);
  }
}
