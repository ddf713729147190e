package io.thinimage.adapters.fs;

import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Describes a real directory tree in exactly the format of {@link
 * InMemoryRootFilesystem#describe()}, and snapshots trees byte for byte (content, mode, owner,
 * times) for the sentinel checks.
 */
final class NioTrees {
  private NioTrees() {}

  /** The tree under {@code root}, never following a symlink. */
  static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            out.put(key(root, dir), describeOne(dir));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            out.put(key(root, file), describeOne(file));
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  private static String key(Path root, Path p) {
    String rel = root.relativize(p).toString();
    return rel.isEmpty() ? "." : rel;
  }

  private static String describeOne(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    String perm = String.format("%04o", mode & 07777);
    String owner = a.get("uid") + ":" + a.get("gid");
    int links = (Integer) a.get("nlink");
    String xattrs = xattrs(p, mode);
    switch (mode & 0170000) {
      case 0040000:
        return "dir " + perm + " " + owner + xattrs;
      case 0100000:
        byte[] content = Files.readAllBytes(p);
        return "file "
            + perm
            + " "
            + owner
            + " size="
            + content.length
            + " sha="
            + InMemoryRootFilesystem.sha12(content)
            + " links="
            + links
            + " mtime="
            + ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond()
            + xattrs;
      case 0120000:
        return "symlink " + owner + " -> " + Files.readSymbolicLink(p);
      case 0010000:
        return "fifo " + perm + " " + owner + " links=" + links;
      case 0020000:
      case 0060000:
        long rdev = (Long) a.get("rdev");
        long major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >> 12) & ~0xffL);
        String kind = (mode & 0170000) == 0020000 ? "char " : "block ";
        return kind + perm + " " + owner + " " + major + "," + minor + " links=" + links;
      default:
        return "other";
    }
  }

  private static String xattrs(Path p, int mode) throws IOException {
    int type = mode & 0170000;
    if (type != 0040000 && type != 0100000) {
      return "";
    }
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(
            p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (v == null) {
      return "";
    }
    List<String> names = new ArrayList<>();
    for (String n : v.list()) {
      names.add("user." + n);
    }
    Collections.sort(names);
    return names.isEmpty() ? "" : " xattrs=" + names;
  }

  /**
   * Everything about the tree under {@code dir} that a write could change: per path its description
   * plus the mtime of every entry (directories and symlinks too).
   */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> d = describe(dir);
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : d.entrySet()) {
      Path p = e.getKey().equals(".") ? dir : dir.resolve(e.getKey());
      FileTime t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
      out.put(e.getKey(), e.getValue() + " t=" + t.toMillis());
    }
    return out;
  }
}
