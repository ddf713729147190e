package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Brings up a loop-backed thin-pool without ever destroying data: backing files are created only
 * when both are absent (sparse), loop devices already bound to them are reused ({@code losetup
 * -j}), and the pool table is reloaded into an existing device or created ("reload else create"),
 * so running it after a reboot re-attaches every thin volume. A backing file is never deleted,
 * truncated or grown here.
 */
public final class PoolSetup {
  private final CommandRunner runner;
  private final Dmsetup dm;
  private final Duration timeout;

  public PoolSetup(CommandRunner runner, Duration timeout) {
    this.runner = runner;
    this.timeout = timeout;
    this.dm = new Dmsetup(runner, timeout, 0, Duration.ZERO);
  }

  /** What {@link #ensure} found and did. */
  public enum Action {
    /** The pool was active with the expected devices: nothing changed. */
    ALREADY_ACTIVE,
    /** A device of that name existed without a live table: the table was loaded and resumed. */
    RELOADED,
    /** No device of that name: the pool was created (on new or existing files). */
    CREATED
  }

  /** The outcome: files created, loop devices, the table line and the action. */
  public record Report(
      Action action,
      boolean filesCreated,
      String dataLoop,
      String metadataLoop,
      long dataSectors,
      String table) {}

  /**
   * Makes the pool active. Idempotent.
   *
   * @throws ThinImageException UNSAFE {@code pool-backing-file-missing} when only one of the two
   *     files exists (a fresh metadata file on old data would orphan every volume), UNSAFE {@code
   *     pool-table-mismatch} when an active pool of that name uses other devices
   */
  public Report ensure(PoolSetupOptions o) {
    boolean dataExists = Files.exists(o.dataFile());
    boolean metaExists = Files.exists(o.metadataFile());
    if (dataExists != metaExists) {
      throw ThinImageException.unsafe(
          "pool-backing-file-missing",
          "only one of "
              + o.dataFile()
              + " and "
              + o.metadataFile()
              + " exists; refusing to"
              + " create the other (new metadata on old data loses every volume)");
    }
    boolean created = false;
    if (!dataExists) {
      createSparse(o.metadataFile(), o.metadataSizeBytes());
      createSparse(o.dataFile(), o.dataSizeBytes());
      created = true;
    }
    String metaLoop = attachLoop(o.metadataFile());
    String dataLoop = attachLoop(o.dataFile());
    long dataSectors = deviceSectors(dataLoop);
    // Whole data blocks only: the kernel rejects a length that is not a multiple of the block.
    dataSectors -= dataSectors % o.dataBlockSectors();
    if (dataSectors <= 0) {
      throw ThinImageException.unsafe(
          "pool-data-too-small", o.dataFile() + " is smaller than one data block");
    }
    String table = table(o, metaLoop, dataLoop, dataSectors);

    Optional<DeviceInfo> info = dm.info(o.poolName());
    if (info.isPresent() && info.get().live()) {
      String live = dm.table(o.poolName()).orElse("");
      checkSameDevices(o.poolName(), live, metaLoop, dataLoop);
      return new Report(Action.ALREADY_ACTIVE, created, dataLoop, metaLoop, dataSectors, live);
    }
    Action action;
    if (info.isPresent()) {
      dm.reload(o.poolName(), table);
      dm.resume(o.poolName());
      action = Action.RELOADED;
    } else {
      dm.create(o.poolName(), table);
      action = Action.CREATED;
    }
    return new Report(action, created, dataLoop, metaLoop, dataSectors, table);
  }

  /** The thin-pool table line for these options and devices. */
  public static String table(PoolSetupOptions o, String metaDev, String dataDev, long sectors) {
    List<String> features = new ArrayList<>();
    if (o.errorIfNoSpace()) {
      features.add("error_if_no_space");
    }
    StringBuilder b =
        new StringBuilder()
            .append("0 ")
            .append(sectors)
            .append(" thin-pool ")
            .append(metaDev)
            .append(' ')
            .append(dataDev)
            .append(' ')
            .append(o.dataBlockSectors())
            .append(' ')
            .append(o.lowWaterMarkBlocks())
            .append(' ')
            .append(features.size());
    for (String f : features) {
      b.append(' ').append(f);
    }
    return b.toString();
  }

  /** A new sparse file of the given size; fails if the file appeared meanwhile. */
  private static void createSparse(Path file, long size) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.createFile(file);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        // Sparse: setLength allocates nothing; a fresh file's first 4 KiB read as zeros, which
        // is what the kernel asks of a new metadata device.
        raf.setLength(size);
        raf.getFD().sync();
      }
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "pool-file-create-failed", "cannot create " + file + ": " + e.getMessage(), e);
    }
  }

  /** The loop device bound to the file, binding a free one if none is. */
  String attachLoop(Path file) {
    String path = file.toAbsolutePath().toString();
    CommandResult existing = runner.run(List.of("losetup", "-j", path), timeout);
    if (existing.ok()) {
      for (String line : existing.stdout().split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.startsWith("/dev/")) {
          return line.substring(0, colon);
        }
      }
    }
    CommandResult r = runner.run(List.of("losetup", "-f", "--show", path), timeout);
    if (!r.ok() || !r.stdout().strip().startsWith("/dev/")) {
      throw new ThinImageException(
          ErrorKind.UNSAFE,
          "loop-attach-failed",
          "losetup -f --show " + path + " failed: " + r.diagnostics());
    }
    return r.stdout().strip();
  }

  private long deviceSectors(String dev) {
    CommandResult r = runner.run(List.of("blockdev", "--getsz", dev), timeout);
    if (!r.ok()) {
      throw new ThinImageException(
          ErrorKind.UNSAFE,
          "loop-size-unknown",
          "blockdev --getsz " + dev + ": " + r.diagnostics());
    }
    return Long.parseLong(r.stdout().strip());
  }

  /** The live table names devices as major:minor; compare against our loops' numbers. */
  private void checkSameDevices(String pool, String live, String metaLoop, String dataLoop) {
    String[] f = live.split(" ");
    if (f.length < 7 || !"thin-pool".equals(f[2])) {
      throw ThinImageException.unsafe(
          "pool-table-mismatch", pool + " is active but not a thin-pool: " + live);
    }
    String meta = majorMinor(metaLoop);
    String data = majorMinor(dataLoop);
    if (!(f[3].equals(meta) || f[3].equals(metaLoop))
        || !(f[4].equals(data) || f[4].equals(dataLoop))) {
      throw ThinImageException.unsafe(
          "pool-table-mismatch",
          pool + " is active on " + f[3] + "/" + f[4] + ", not on " + metaLoop + "/" + dataLoop);
    }
  }

  private String majorMinor(String dev) {
    CommandResult r = runner.run(List.of("stat", "-L", "-c", "%t:%T", dev), timeout);
    if (!r.ok()) {
      return dev;
    }
    String[] hex = r.stdout().strip().split(":");
    return Integer.parseInt(hex[0], 16) + ":" + Integer.parseInt(hex[1], 16);
  }
}
