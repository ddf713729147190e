package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Resolves a directory path the way the kernel would if the root were {@code /} (like containerd's
 * {@code fs.RootPath} and securejoin): each name is looked at without following it; a symlink is
 * read and its target continued from the root (absolute) or from the current directory (relative),
 * {@code ..} never climbs above the root. The result names only real directories, so the seam's own
 * no-symlink-parent check always holds. Used only for parents and hardlink targets; the last name
 * of an entry is never followed.
 */
final class InRootResolver {
  /** Linux's MAXSYMLINKS. */
  static final int MAX_SYMLINKS = 40;

  /**
   * Directories remembered: tar archives list a directory's entries together, so the last thousand
   * recent ones answer nearly every lookup, and memory stays bounded whatever the layer's shape.
   */
  static final int CACHE_SIZE = 1024;

  private final RootFilesystem fs;
  private final int maxDepth;

  /**
   * Recently seen paths that, read literally, name only real directories (no symlink anywhere in
   * them), least recently used first; cleared on every removal, the only way a directory can stop
   * being one while a layer is applied.
   */
  private final Map<RootPath, Boolean> realDirs =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RootPath, Boolean> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /**
   * @param fs the seam
   * @param maxDepth most names a resolved directory may have ({@code layer-path-too-deep}): a
   *     symlinked parent can lead deeper than the entry name itself
   */
  InRootResolver(RootFilesystem fs, int maxDepth) {
    this.fs = fs;
    this.maxDepth = maxDepth;
  }

  /** Forgets cached directories; called whenever anything is removed. */
  void invalidate() {
    realDirs.clear();
  }

  /** Records that {@code dir} was just created as a real directory. */
  void created(RootPath dir) {
    realDirs.put(dir, Boolean.TRUE);
  }

  /**
   * The real directory {@code dir} leads to, creating missing directories (mode 0755, owned by root
   * when privileged) when {@code create}; null if it does not exist (or is not a directory) and
   * {@code create} is false.
   *
   * @param entry the entry name, for errors
   * @param onCreate told about each directory created
   */
  RootPath resolveDir(RootPath dir, boolean create, String entry, Consumer<RootPath> onCreate)
      throws IOException {
    if (dir.isRoot() || realDirs.get(dir) != null) {
      return dir;
    }
    Deque<String> todo = new ArrayDeque<>(dir.names());
    List<String> cur = new ArrayList<>();
    int followed = 0;
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!cur.isEmpty()) {
          cur.remove(cur.size() - 1);
        }
        continue;
      }
      if (name.getBytes(StandardCharsets.UTF_8).length > RootPath.MAX_NAME_BYTES) {
        throw ThinImageException.invalid(
            "layer-name-too-long",
            "a symlink in the parent path of "
                + entry
                + " names something longer than "
                + RootPath.MAX_NAME_BYTES
                + " bytes");
      }
      cur.add(name);
      if (cur.size() > maxDepth) {
        throw ThinImageException.invalid(
            "layer-path-too-deep",
            "the parent path of " + entry + " leads more than " + maxDepth + " names deep");
      }
      RootPath next = new RootPath(cur);
      if (realDirs.get(next) != null) {
        continue;
      }
      EntryType t = fs.typeOf(next);
      switch (t) {
        case DIRECTORY:
          realDirs.put(next, Boolean.TRUE);
          break;
        case ABSENT:
          if (!create) {
            return null;
          }
          fs.createDirectory(next);
          if (fs.privileged()) {
            // Root-owned whatever the host does: below a setgid directory the kernel hands the
            // new directory that directory's group, and the tree would depend on the host.
            fs.setOwner(next, 0, 0);
          }
          fs.setMode(next, 0755);
          onCreate.accept(next);
          realDirs.put(next, Boolean.TRUE);
          break;
        case SYMLINK:
          if (++followed > MAX_SYMLINKS) {
            throw ThinImageException.invalid(
                "layer-symlink-loop", "too many symlinks in the parent path of " + entry);
          }
          String target = fs.readSymlink(next);
          cur.remove(cur.size() - 1);
          if (target.startsWith("/")) {
            cur.clear();
          }
          String[] parts = target.split("/");
          for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
          }
          break;
        default:
          if (!create) {
            return null;
          }
          throw ThinImageException.invalid(
              "layer-parent-not-directory",
              "a parent of " + entry + " is not a directory: " + next);
      }
    }
    RootPath resolved = new RootPath(cur);
    realDirs.put(resolved, Boolean.TRUE);
    return resolved;
  }
}
