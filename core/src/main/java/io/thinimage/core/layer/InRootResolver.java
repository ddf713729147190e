package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

  private final RootFilesystem fs;

  /**
   * Paths that, read literally, name only real directories (no symlink anywhere in them); cleared
   * on every removal, the only way a directory can stop being one while a layer is applied.
   */
  private final Set<RootPath> realDirs = new HashSet<>();

  InRootResolver(RootFilesystem fs) {
    this.fs = fs;
  }

  /** Forgets cached directories; called whenever anything is removed. */
  void invalidate() {
    realDirs.clear();
  }

  /** Records that {@code dir} was just created as a real directory. */
  void created(RootPath dir) {
    realDirs.add(dir);
  }

  /**
   * The real directory {@code dir} leads to, creating missing directories (mode 0755, owned by root
   * when privileged) when {@code create}; null if it does not exist (or is not a directory) and
   * {@code create} is false.
   *
   * @param entry the entry name, for errors
   * @param onCreate told about each directory created
   */
  RootPath resolveDir(RootPath dir, boolean create, String entry, Set<RootPath> onCreate)
      throws IOException {
    if (dir.isRoot() || realDirs.contains(dir)) {
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
      cur.add(name);
      RootPath next = new RootPath(cur);
      if (realDirs.contains(next)) {
        continue;
      }
      EntryType t = fs.typeOf(next);
      switch (t) {
        case DIRECTORY:
          realDirs.add(next);
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
          onCreate.add(next);
          realDirs.add(next);
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
    return new RootPath(cur);
  }
}
