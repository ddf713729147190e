package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The filesystem on a thin volume: {@code mkfs.ext4} with explicit options (journal kept, no
 * discard of a fresh thin device, inode tables initialised now rather than by a background thread
 * writing into snapshots later), {@code nosuid,nodev} mounts, and an unmount that flushes, unmounts
 * plainly and then checks the mount table. Never {@code umount -l}: a lazy unmount hides a busy
 * filesystem and leaves the device open.
 */
public final class Ext4 {
  /** The default {@code -E} options. */
  public static final String DEFAULT_EXTENDED_OPTIONS =
      "nodiscard,lazy_itable_init=0,lazy_journal_init=0";

  private static final long SUPERBLOCK_MAGIC_OFFSET = 1024 + 0x38;

  private final CommandRunner runner;
  private final Duration mkfsTimeout;
  private final Duration timeout;
  private final String extendedOptions;
  private final Path mountInfo;

  /**
   * @param mkfsTimeout bound on {@code mkfs.ext4}
   * @param timeout bound on mount, sync and umount
   * @param extendedOptions the {@code mkfs.ext4 -E} list
   * @param mountInfo the mount table to verify against ({@link MountInfo#SELF} in production)
   */
  public Ext4(
      CommandRunner runner,
      Duration mkfsTimeout,
      Duration timeout,
      String extendedOptions,
      Path mountInfo) {
    this.runner = runner;
    this.mkfsTimeout = mkfsTimeout;
    this.timeout = timeout;
    this.extendedOptions = extendedOptions;
    this.mountInfo = mountInfo;
  }

  /** The {@code mkfs.ext4} command line for a device. */
  public List<String> mkfsCommand(String device) {
    return List.of("mkfs.ext4", "-q", "-F", "-E", extendedOptions, device);
  }

  /**
   * Whether the device carries an ext superblock. mke2fs writes the superblock when it closes the
   * filesystem, after the inode tables and journal, so a crash mid-mkfs leaves no magic and the
   * next attempt formats again.
   */
  public boolean hasFilesystem(String device) {
    try (FileChannel ch = FileChannel.open(Path.of(device), StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(2);
      int n = ch.read(b, SUPERBLOCK_MAGIC_OFFSET);
      return n == 2 && (b.get(0) & 0xff) == 0x53 && (b.get(1) & 0xff) == 0xef;
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "device-unreadable", "cannot read the superblock of " + device, e);
    }
  }

  /** Formats the device. */
  public void mkfs(String device) {
    CommandResult r = runner.run(mkfsCommand(device), mkfsTimeout);
    if (!r.ok()) {
      throw failed("mkfs-failed", r);
    }
  }

  /** The mount command: ext4, {@code nosuid,nodev}. */
  public List<String> mountCommand(String device, Path dir) {
    return List.of("mount", "-t", "ext4", "-o", "nosuid,nodev", device, dir.toString());
  }

  /** Mounts the device at dir (which must exist). */
  public void mount(String device, Path dir) {
    CommandResult r = runner.run(mountCommand(device, dir), timeout);
    if (!r.ok()) {
      throw failed("mount-failed", r);
    }
  }

  /** Whether something is mounted at exactly {@code dir}. */
  public boolean isMounted(Path dir) {
    return MountInfo.at(MountInfo.read(mountInfo), dir).isPresent();
  }

  /**
   * Flushes the filesystem ({@code sync -f}, syncfs), unmounts it plainly and verifies the mount
   * point is gone from the mount table. A busy filesystem is TRANSIENT {@code volume-busy}; a mount
   * still listed after umount succeeded is TRANSIENT {@code unmount-not-verified}.
   */
  public void unmount(Path dir) {
    if (!isMounted(dir)) {
      return;
    }
    // A failed flush (EIO on a full pool) must not keep the filesystem mounted: umount flushes
    // again and reports what it cannot write.
    runner.run(List.of("sync", "-f", dir.toString()), timeout);
    CommandResult r = runner.run(List.of("umount", dir.toString()), timeout);
    if (!r.ok()) {
      if (!isMounted(dir)) {
        return;
      }
      Errno e = Errno.classify(r.diagnostics());
      if (e == Errno.EBUSY) {
        throw new ThinImageException(
            ErrorKind.TRANSIENT,
            "volume-busy",
            "filesystem at " + dir + " is busy: " + r.diagnostics());
      }
      throw failed("unmount-failed", r);
    }
    if (isMounted(dir)) {
      throw new ThinImageException(
          ErrorKind.TRANSIENT,
          "unmount-not-verified",
          "umount " + dir + " succeeded but the mount table still lists it");
    }
  }

  private static ThinImageException failed(String code, CommandResult r) {
    List<String> parts = new ArrayList<>(List.of(r.commandLine(), "exit " + r.exitCode()));
    parts.add(r.diagnostics().replace('\n', ' '));
    return new ThinImageException(ErrorKind.INTERNAL, code, String.join(": ", parts));
  }
}
