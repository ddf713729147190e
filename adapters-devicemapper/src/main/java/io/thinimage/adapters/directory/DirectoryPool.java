package io.thinimage.adapters.directory;

import io.thinimage.adapters.devicemapper.CommandResult;
import io.thinimage.adapters.devicemapper.CommandRunner;
import io.thinimage.adapters.devicemapper.ProcessCommandRunner;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link BlockDevicePool} without device-mapper: each volume is a directory {@code
 * <root>/volumes/<name>}, a snapshot is a full copy made by {@code cp -a --reflink=auto} (owner,
 * mode with setuid, xattrs, hardlinks and symlinks preserved; block sharing where the filesystem
 * can reflink). Copies are made under {@code <root>/tmp} and renamed into place, so a crash never
 * leaves a half snapshot under its final name. There is no real mount or device: {@code mount} and
 * {@code activate} return the directory. Needs no root; the embedded default.
 */
public final class DirectoryPool implements BlockDevicePool {
  private static final Pattern OURS = Pattern.compile("ti-(0|[1-9][0-9]{0,7})");

  private final Path volumes;
  private final Path tmp;
  private final CommandRunner runner;
  private final double minFreeRatio;
  private final Duration copyTimeout;

  /** A pool under {@code root} with real processes, 5% free space required, 30 min per copy. */
  public DirectoryPool(Path root) {
    this(root, new ProcessCommandRunner(), 0.05, Duration.ofMinutes(30));
  }

  /**
   * @param root the pool's directory (created if absent)
   * @param runner runs {@code cp}
   * @param minFreeRatio refuse new volumes when the filesystem's free fraction is below this
   * @param copyTimeout bound on one snapshot copy
   */
  public DirectoryPool(Path root, CommandRunner runner, double minFreeRatio, Duration copyTimeout) {
    if (minFreeRatio < 0 || minFreeRatio >= 1) {
      throw new IllegalArgumentException("minFreeRatio must be in [0,1)");
    }
    this.volumes = root.resolve("volumes");
    this.tmp = root.resolve("tmp");
    this.runner = runner;
    this.minFreeRatio = minFreeRatio;
    this.copyTimeout = copyTimeout;
    try {
      Files.createDirectories(volumes);
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "pool-root-unavailable", "cannot create pool directories under " + root, e);
    }
  }

  @Override
  public String driver() {
    return "directory";
  }

  /** The directory of a volume. */
  public Path volumeDir(VolumeSpec volume) {
    return volumes.resolve(volume.name());
  }

  @Override
  public synchronized PoolStatus status() {
    try {
      FileStore store = Files.getFileStore(volumes);
      long total = store.getTotalSpace();
      long usable = store.getUsableSpace();
      double free = total <= 0 ? 0 : (double) usable / total;
      String refusal = free < minFreeRatio ? "pool-data-low" : null;
      return new PoolStatus(
          driver(), total - usable, total, -1, -1, "rw", refusal == null, refusal);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "pool-status-unreadable", "cannot read free space of " + volumes, e);
    }
  }

  private void requireSpace() {
    PoolStatus s = status();
    if (!s.acceptsAllocations()) {
      throw ThinImageException.unsafe(
          s.refusalReason(),
          String.format(
              Locale.ROOT,
              "filesystem of %s has %d of %d bytes free, under the %.1f%% threshold",
              volumes,
              s.dataTotalBytes() - s.dataUsedBytes(),
              s.dataTotalBytes(),
              100 * minFreeRatio));
    }
  }

  @Override
  public synchronized void createVolume(VolumeSpec volume) {
    Path dir = volumeDir(volume);
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    requireSpace();
    try {
      Path staging = freshStaging(volume);
      Files.createDirectory(staging);
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "volume-create-failed", "cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void createSnapshot(VolumeSpec origin, VolumeSpec snapshot) {
    Path target = volumeDir(snapshot);
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path source = volumeDir(origin);
    if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      throw ThinImageException.notFound(
          "volume-origin-missing", "origin volume " + origin.name() + " does not exist");
    }
    requireSpace();
    Path staging = freshStaging(snapshot);
    CommandResult r =
        runner.run(
            List.of("cp", "-a", "--reflink=auto", "--", source.toString(), staging.toString()),
            copyTimeout);
    if (!r.ok()) {
      deleteTree(staging);
      throw ThinImageException.transientFailure(
          "snapshot-copy-failed",
          "cp -a " + source + " failed (exit " + r.exitCode() + "): " + r.diagnostics(),
          null);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteTree(staging);
      throw ThinImageException.transientFailure(
          "volume-create-failed", "cannot rename snapshot into " + target, e);
    }
  }

  @Override
  public synchronized Path mount(VolumeSpec volume) {
    return existing(volume);
  }

  @Override
  public synchronized void unmount(VolumeSpec volume) {
    // Nothing is mounted: the directory is the volume.
  }

  @Override
  public synchronized String activate(VolumeSpec volume) {
    return existing(volume).toString();
  }

  @Override
  public synchronized void deactivate(VolumeSpec volume) {
    // No consumer device to remove.
  }

  @Override
  public synchronized void delete(VolumeSpec volume) {
    Path dir = volumeDir(volume);
    // Rename out of the final name first: a crash mid-delete leaves debris in tmp, never a
    // half-deleted volume that list() would report as present. The debris of this volume (an
    // interrupted delete or snapshot copy) goes too, also when the volume itself is already gone:
    // the retried delete is what finishes an interrupted one.
    Path doomed = freshStaging(volume).resolveSibling(volume.name() + ".deleting");
    deleteTree(doomed);
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "volume-delete-failed", "cannot move " + dir + " aside: " + e.getMessage(), e);
    }
    deleteTree(doomed);
  }

  @Override
  public synchronized List<PoolVolume> list() {
    List<PoolVolume> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(volumes)) {
      for (Path p : ds) {
        Matcher m = OURS.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          long id = Long.parseLong(m.group(1));
          if (id <= VolumeSpec.MAX_THIN_ID) {
            out.add(new PoolVolume(id, true, false, p.toString()));
          }
        }
      }
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "pool-list-failed", "cannot list " + volumes + ": " + e.getMessage(), e);
    }
    out.sort((a, b) -> Long.compare(a.thinId(), b.thinId()));
    return out;
  }

  /**
   * Everything under {@code <root>/tmp}: staging copies and moved-aside volumes that an interrupted
   * operation left. While a mutation of this pool runs (in this or, without the data-dir lock,
   * another process) its own staging shows here too; only gc --force, which holds the lock with no
   * run in flight, acts on the list.
   */
  @Override
  public synchronized List<String> debris() {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
      ds.forEach(p -> out.add(p.toString()));
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "pool-list-failed", "cannot list " + tmp + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  /** Deletes one entry of {@link #debris()}; anything not directly under tmp is refused. */
  @Override
  public synchronized void deleteDebris(String item) {
    Path p = Path.of(item).normalize();
    if (!tmp.toAbsolutePath().normalize().equals(p.toAbsolutePath().getParent())) {
      throw new IllegalArgumentException("not pool debris: " + item);
    }
    deleteTree(p);
  }

  private Path existing(VolumeSpec volume) {
    Path dir = volumeDir(volume);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw ThinImageException.notFound(
          "volume-not-found", "volume " + volume.name() + " does not exist");
    }
    return dir;
  }

  /** The staging path for a volume, with any debris of an earlier crashed attempt removed. */
  private Path freshStaging(VolumeSpec volume) {
    Path staging = tmp.resolve(volume.name());
    deleteTree(staging);
    return staging;
  }

  /** Deletes a tree without following symlinks (a volume's content is untrusted). */
  private static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              // Read-only directories in an image would stop their own cleanup.
              dir.toFile().setWritable(true, true);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              if (exc != null) {
                throw exc;
              }
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "volume-delete-failed", "cannot delete " + root + ": " + e.getMessage(), e);
    }
  }
}
