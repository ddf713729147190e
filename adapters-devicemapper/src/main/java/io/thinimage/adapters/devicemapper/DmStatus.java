package io.thinimage.adapters.devicemapper;

/**
 * One parsed {@code dmsetup status} line of a thin-pool or thin target. Parse with {@link
 * DmStatusParser}; the record types are the line forms the kernel emits.
 */
public sealed interface DmStatus
    permits DmStatus.ThinPoolStatus, DmStatus.ThinStatus, DmStatus.Failed {

  /** The target's type as printed: {@code thin-pool} or {@code thin}. */
  String target();

  /** Sectors covered by the line (the table's length). */
  long lengthSectors();

  /** The pool's I/O mode. {@code ro} covers read-only metadata and out-of-metadata-space. */
  enum PoolMode {
    RW,
    RO,
    OUT_OF_DATA_SPACE
  }

  /** What the pool does with writes when data space runs out. */
  enum NoSpacePolicy {
    /** Fail the write at once ({@code error_if_no_space}): what we configure. */
    ERROR,
    /** Queue it until space is added or the kernel's {@code no_space_timeout} fires. */
    QUEUE
  }

  /**
   * A healthy-enough thin-pool line: {@code <transaction id> <used meta>/<total meta> <used
   * data>/<total data> <held root> rw|ro|out_of_data_space [no_]discard_passdown
   * error|queue_if_no_space needs_check|- [<metadata low watermark>]}. Metadata blocks are 4 KiB;
   * data blocks are the pool's data block size. {@code heldMetadataRoot} and {@code
   * metadataLowWatermark} are -1 when absent.
   */
  record ThinPoolStatus(
      long lengthSectors,
      long transactionId,
      long metadataUsedBlocks,
      long metadataTotalBlocks,
      long dataUsedBlocks,
      long dataTotalBlocks,
      long heldMetadataRoot,
      PoolMode mode,
      boolean discardPassdown,
      NoSpacePolicy noSpacePolicy,
      boolean needsCheck,
      long metadataLowWatermark)
      implements DmStatus {

    @Override
    public String target() {
      return "thin-pool";
    }

    /** Free fraction of data blocks, 0..1. */
    public double dataFreeRatio() {
      return freeRatio(dataUsedBlocks, dataTotalBlocks);
    }

    /** Free fraction of metadata blocks, 0..1. */
    public double metadataFreeRatio() {
      return freeRatio(metadataUsedBlocks, metadataTotalBlocks);
    }

    private static double freeRatio(long used, long total) {
      return total <= 0 ? 0.0 : (double) (total - used) / total;
    }
  }

  /**
   * A thin device line: {@code <nr mapped sectors> <highest mapped sector>}; the highest is -1 when
   * nothing is mapped (the kernel prints {@code -}).
   */
  record ThinStatus(long lengthSectors, long mappedSectors, long highestMappedSector)
      implements DmStatus {
    @Override
    public String target() {
      return "thin";
    }
  }

  /**
   * The kernel's {@code Fail} (pool or thin in failure mode) or {@code Error} (status could not be
   * read) form. Nothing else on the line is meaningful.
   */
  record Failed(String target, long lengthSectors, String word) implements DmStatus {}
}
