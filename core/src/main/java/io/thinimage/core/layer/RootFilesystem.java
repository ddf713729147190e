package io.thinimage.core.layer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/**
 * The filesystem seam the layer rules write through. Every operation takes a {@link RootPath}
 * relative to one root and never follows a symlink: not in the last name (an {@code lstat}-like
 * view) and not in a parent. The layer rules resolve symlinked parents themselves, inside the root
 * (see {@link LayerApplier}); an implementation therefore refuses, with INVALID_INPUT code {@code
 * layer-path-through-symlink}, any path whose parent names are not all real directories, so a
 * mistake in the rules cannot turn into a write outside the root.
 *
 * <p>Implemented with {@code java.nio} by the filesystem adapter and in memory by the test fakes.
 * {@link IOException}s are real filesystem failures (no space, permissions); the rules report them
 * as transient.
 */
public interface RootFilesystem {

  /**
   * What exists at {@code path} ({@link EntryType#ABSENT} if nothing), the last name unfollowed.
   */
  EntryType typeOf(RootPath path) throws IOException;

  /** The verbatim target of the symlink at {@code path}. */
  String readSymlink(RootPath path) throws IOException;

  /** The names in the directory at {@code path}, in no particular order. */
  List<String> list(RootPath dir) throws IOException;

  /** Creates a directory; its parent exists and {@code path} does not. */
  void createDirectory(RootPath path) throws IOException;

  /**
   * Creates a new regular file (never opening an existing one) holding exactly the next {@code
   * size} bytes of {@code content}; fails if the stream ends early. The parent exists and {@code
   * path} does not.
   */
  void createFile(RootPath path, InputStream content, long size) throws IOException;

  /**
   * Creates a new sparse regular file of {@code size} bytes (never opening an existing one): the
   * next bytes of {@code data} fill {@code extents} in order, and everything else is a hole, not
   * written, so the file takes only the space of its data where the filesystem keeps holes. The
   * extents are sorted, do not overlap and end at or before {@code size}; {@code data} holds
   * exactly their total length. The parent exists and {@code path} does not.
   */
  void createSparseFile(RootPath path, InputStream data, List<Extent> extents, long size)
      throws IOException;

  /** Creates a symlink whose target is stored verbatim (absolute targets are normal). */
  void createSymlink(RootPath path, String target) throws IOException;

  /**
   * Creates a hardlink at {@code path} to the existing non-directory {@code target}; if the target
   * is a symlink, the link is to the symlink itself.
   */
  void createHardlink(RootPath path, RootPath target) throws IOException;

  /**
   * Creates a FIFO ({@code major}/{@code minor} ignored) or, when {@link #privileged()}, a
   * character or block device.
   */
  void createSpecial(RootPath path, EntryType type, int major, int minor) throws IOException;

  /** Removes whatever is at {@code path}, recursively for a directory; nothing if absent. */
  void remove(RootPath path) throws IOException;

  /** {@code lchown}: numeric owner of the entry itself. Only called when privileged. */
  void setOwner(RootPath path, long uid, long gid) throws IOException;

  /**
   * Sets all twelve permission bits (setuid, setgid, sticky included, no umask). Never called on a
   * symlink.
   */
  void setMode(RootPath path, int mode) throws IOException;

  /** Sets the modification (and access) time of the entry itself; a symlink's own time. */
  void setModifiedTime(RootPath path, Instant mtime) throws IOException;

  /**
   * Sets one extended attribute on a file or directory. The rules only ask for {@code user.*} and,
   * when {@link #privileged()}, {@code security.capability}.
   *
   * @return false if this filesystem or implementation cannot store that attribute's namespace
   */
  boolean setXattr(RootPath path, String name, byte[] value) throws IOException;

  /** Whether ownership and device nodes can be applied (the process is root). */
  boolean privileged();
}
