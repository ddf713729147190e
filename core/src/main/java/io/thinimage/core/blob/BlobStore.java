package io.thinimage.core.blob;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The local content-addressed blob directory: {@code sha256/<hex>} for stored blobs and {@code
 * partial/<name>} for downloads in progress (same filesystem, so the final rename is atomic).
 * Stored blobs are immutable; a blob is stored once whatever keys it came from.
 */
public final class BlobStore {
  private final Path root;
  private final Path stored;
  private final Path partial;

  public BlobStore(Path root) {
    this.root = root.toAbsolutePath();
    this.stored = this.root.resolve("sha256");
    this.partial = this.root.resolve("partial");
    try {
      Files.createDirectories(stored);
      Files.createDirectories(partial);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create blob directory " + this.root, e);
    }
  }

  public Path root() {
    return root;
  }

  /** Where a stored blob lives. */
  public Path path(BlobDigest digest) {
    return stored.resolve(digest.hex());
  }

  /** Where the download of {@code name} (a run id) keeps its bytes until it is verified. */
  public Path partialPath(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("bad partial name " + name);
    }
    return partial.resolve(name);
  }

  /** Whether a blob is stored with the expected size (the digest was verified when stored). */
  public boolean has(BlobDigest digest, long size) {
    Path p = path(digest);
    try {
      return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == size;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Moves a verified partial download into place: fsync the file, atomic rename, fsync the
   * directory. Idempotent: if the blob is already stored (this run's earlier attempt, or another
   * key with the same content), the partial file is just removed.
   */
  public void commit(Path partialFile, BlobDigest digest) {
    Path target = path(digest);
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(partialFile);
        fsyncDirectory(partial);
        return;
      }
      try (FileChannel ch = FileChannel.open(partialFile, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(partialFile, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw ThinImageException.internal(
            "blob-dir-not-atomic", "blob directory does not support atomic rename: " + root, e);
      }
      fsyncDirectory(stored);
      fsyncDirectory(partial);
    } catch (NoSuchFileException e) {
      throw ThinImageException.notFound(
          "partial-missing", "downloaded file vanished before it was stored: " + partialFile);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "blob-store-io", "cannot store blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /** Opens a stored blob for reading. */
  public InputStream open(BlobDigest digest) {
    try {
      return Files.newInputStream(path(digest), LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw ThinImageException.notFound("blob-missing", "blob is not stored: " + digest);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "blob-store-io", "cannot read blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /** Removes a partial download. Idempotent. */
  public void deletePartial(Path partialFile) {
    try {
      Files.deleteIfExists(partialFile);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "blob-store-io", "cannot remove " + partialFile + ": " + e.getMessage(), e);
    }
  }

  /** Removes a stored blob. Idempotent. */
  public void delete(BlobDigest digest) {
    try {
      Files.deleteIfExists(path(digest));
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "blob-store-io", "cannot remove blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /** Every partial download file present (for reconcile and gc). */
  public List<Path> partialFiles() {
    return listFiles(partial);
  }

  /** Every stored blob file present, whatever its name (for gc). */
  public List<Path> storedFiles() {
    return listFiles(stored);
  }

  private static List<Path> listFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
