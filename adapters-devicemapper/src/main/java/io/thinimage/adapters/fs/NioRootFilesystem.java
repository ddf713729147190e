package io.thinimage.adapters.fs;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.layer.EntryType;
import io.thinimage.core.layer.Extent;
import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.layer.RootPath;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@link RootFilesystem} seam on a real directory with {@code java.nio}, on Linux.
 *
 * <p>Safety: every parent of every path is checked name by name with {@code lstat} (no link
 * followed) to be a real directory, a symlinked parent failing with {@code
 * layer-path-through-symlink}; the last name is never followed ({@code NOFOLLOW_LINKS}, {@code
 * lchown}, {@code utimensat(AT_SYMLINK_NOFOLLOW)}); files are created with {@code O_CREAT|O_EXCL}
 * so an existing symlink can never be written through. Verified directories are cached until the
 * next removal, which assumes — as for a freshly made, privately mounted volume — that nothing else
 * changes the tree meanwhile.
 *
 * <p>Limits of {@code java.nio}: symlink targets are stored as {@code java.nio} normalises them
 * (repeated and trailing slashes dropped); only {@code user.*} xattrs can be written (others are
 * reported as not stored); FIFOs and device nodes are made with the {@code mkfifo} and {@code
 * mknod} commands. Not thread-safe: one layer at a time.
 */
public final class NioRootFilesystem implements RootFilesystem {
  private static final int S_IFMT = 0170000;
  private static final int COPY_BUFFER = 1 << 17;
  private static final long PROCESS_TIMEOUT_SECONDS = 30;

  /** Linux's PATH_MAX, terminating NUL included: the longest path a system call takes. */
  private static final int PATH_MAX = 4096;

  /** Verified directories remembered, most recent last: bounded whatever the layer's shape. */
  private static final int VERIFIED_CACHE = 1024;

  private final Path root;
  private final boolean privileged;
  private final boolean userXattrs;
  private final Map<RootPath, Boolean> verifiedDirs =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RootPath, Boolean> eldest) {
          return size() > VERIFIED_CACHE;
        }
      };

  /**
   * FIFOs and device nodes this instance made: java.nio opens a file to chmod or time it, which
   * blocks on a FIFO and would open a device, so their metadata goes through commands instead.
   */
  private final Set<RootPath> specials = new HashSet<>();

  private final byte[] buffer = new byte[COPY_BUFFER];

  /** The seam on {@code root}, privileged when the process runs as root. */
  public NioRootFilesystem(Path root) {
    this(root, runningAsRoot());
  }

  /**
   * The seam on {@code root}; {@code privileged} false skips ownership and device nodes even when
   * root (tests of the unprivileged behaviour).
   */
  public NioRootFilesystem(Path root, boolean privileged) {
    try {
      this.root = root.toRealPath();
      if (!Files.isDirectory(this.root)) {
        throw new IllegalArgumentException("not a directory: " + root);
      }
      this.userXattrs =
          Files.getFileStore(this.root)
              .supportsFileAttributeView(UserDefinedFileAttributeView.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot open root filesystem at " + root, e);
    }
    this.privileged = privileged;
  }

  /** The real path of the root directory. */
  public Path root() {
    return root;
  }

  private static boolean runningAsRoot() {
    try {
      // /proc/self belongs to the process's effective uid.
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public boolean privileged() {
    return privileged;
  }

  // ---- paths ----

  /** The host path of {@code p} after checking that all its parents are real directories. */
  private Path path(RootPath p) throws IOException {
    if (p.isRoot()) {
      return root;
    }
    Path host = root.resolve(p.relative());
    if (host.toString().getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
      // The layer's path is fine on its own, but not below this root: the kernel would refuse it
      // (ENAMETOOLONG), which is the layer's doing, not a failing filesystem.
      throw ThinImageException.invalid(
          "layer-path-too-long",
          p + " is longer than the " + PATH_MAX + " bytes a path below the volume can have");
    }
    verifyDir(p.parent());
    return host;
  }

  /** Checks name by name (from the longest remembered prefix) that {@code dir} is a real dir. */
  private void verifyDir(RootPath dir) throws IOException {
    if (dir.isRoot() || verifiedDirs.get(dir) != null) {
      return;
    }
    List<String> names = dir.names();
    Path host = root;
    for (int i = 0; i < names.size(); i++) {
      host = host.resolve(names.get(i));
      BasicFileAttributes a =
          Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        throw ThinImageException.invalid(
            "layer-path-through-symlink",
            "parent " + new RootPath(names.subList(0, i + 1)) + " is a symlink");
      }
      if (!a.isDirectory()) {
        throw new NotDirectoryException(host.toString());
      }
    }
    verifiedDirs.put(dir, Boolean.TRUE);
  }

  // ---- queries ----

  @Override
  public EntryType typeOf(RootPath p) throws IOException {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(path(p), "unix:mode", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return EntryType.ABSENT;
    }
    switch (mode & S_IFMT) {
      case 0040000:
        return EntryType.DIRECTORY;
      case 0100000:
        return EntryType.REGULAR;
      case 0120000:
        return EntryType.SYMLINK;
      case 0020000:
        return EntryType.CHAR_DEVICE;
      case 0060000:
        return EntryType.BLOCK_DEVICE;
      case 0010000:
        return EntryType.FIFO;
      default:
        return EntryType.OTHER;
    }
  }

  @Override
  public String readSymlink(RootPath p) throws IOException {
    return Files.readSymbolicLink(path(p)).toString();
  }

  @Override
  public List<String> list(RootPath dir) throws IOException {
    if (typeOf(dir) != EntryType.DIRECTORY) {
      // newDirectoryStream would follow a symlink in the last name
      throw new NotDirectoryException(dir.toString());
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(path(dir))) {
      for (Path c : s) {
        names.add(c.getFileName().toString());
      }
    }
    return names;
  }

  // ---- creation ----

  @Override
  public void createDirectory(RootPath p) throws IOException {
    Files.createDirectory(path(p));
  }

  @Override
  public void createFile(RootPath p, InputStream content, long size) throws IOException {
    // CREATE_NEW is O_CREAT|O_EXCL: fails on any existing entry, symlinks included.
    try (FileChannel ch =
        FileChannel.open(
            path(p),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      long left = size;
      while (left > 0) {
        int r = content.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (r < 0) {
          throw new EOFException(p + ": content ended " + left + " bytes early");
        }
        ByteBuffer bb = ByteBuffer.wrap(buffer, 0, r);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        left -= r;
      }
    }
  }

  @Override
  public void createSparseFile(RootPath p, InputStream data, List<Extent> extents, long size)
      throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            path(p),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      for (Extent x : extents) {
        // Positioning past the end and writing there leaves the gap as a hole.
        ch.position(x.offset());
        long left = x.length();
        while (left > 0) {
          int r = data.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (r < 0) {
            throw new EOFException(p + ": content ended " + left + " bytes early");
          }
          ByteBuffer bb = ByteBuffer.wrap(buffer, 0, r);
          while (bb.hasRemaining()) {
            ch.write(bb);
          }
          left -= r;
        }
      }
      if (ch.size() < size) {
        // A trailing hole: FileChannel cannot extend a file without writing, so the last byte is
        // written (one block, not the hole).
        ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
    }
  }

  @Override
  public void createSymlink(RootPath p, String target) throws IOException {
    Files.createSymbolicLink(path(p), Path.of(target));
  }

  @Override
  public void createHardlink(RootPath p, RootPath target) throws IOException {
    // link(2) does not follow a symlink target: the new name links the symlink itself.
    Files.createLink(path(p), path(target));
  }

  @Override
  public void createSpecial(RootPath p, EntryType type, int major, int minor) throws IOException {
    String host = path(p).toString();
    switch (type) {
      case FIFO -> run("mkfifo", "-m", "0600", "--", host);
      case CHAR_DEVICE, BLOCK_DEVICE -> {
        if (!privileged) {
          throw new FileSystemException(host, null, "device nodes need privilege");
        }
        run(
            "mknod",
            "-m",
            "0600",
            "--",
            host,
            type == EntryType.CHAR_DEVICE ? "c" : "b",
            Integer.toString(major),
            Integer.toString(minor));
      }
      default -> throw new IllegalArgumentException("not a special type: " + type);
    }
    specials.add(p);
  }

  private static void run(String... command) throws IOException {
    Process proc = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out =
          new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!proc.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        proc.destroyForcibly();
        throw new IOException(command[0] + " timed out");
      }
      if (proc.exitValue() != 0) {
        throw new IOException(command[0] + " failed (" + proc.exitValue() + "): " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      proc.destroyForcibly();
      throw new IOException(command[0] + " interrupted", e);
    }
  }

  // ---- removal ----

  @Override
  public void remove(RootPath p) throws IOException {
    if (p.isRoot()) {
      throw new FileSystemException(root.toString(), null, "refusing to remove the root");
    }
    Path host = path(p);
    verifiedDirs.clear();
    specials.removeIf(p::contains);
    try {
      // walkFileTree does not follow symlinks unless asked: a symlink is deleted, not its target.
      Files.walkFileTree(
          host,
          new SimpleFileVisitor<>() {
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
    } catch (NoSuchFileException e) {
      if (e.getFile() != null && Path.of(e.getFile()).equals(host)) {
        return; // nothing there
      }
      throw e;
    }
  }

  // ---- metadata ----

  @Override
  public void setOwner(RootPath p, long uid, long gid) throws IOException {
    Path host = path(p);
    // uid_t is unsigned 32-bit; the int carries the same bits.
    Files.setAttribute(host, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(host, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void setMode(RootPath p, int mode) throws IOException {
    if (specials.contains(p)) {
      run("chmod", "--", String.format("%04o", mode & 07777), path(p).toString());
      return;
    }
    // The unix view's mode is a plain chmod: setuid/setgid/sticky kept, no umask.
    Files.setAttribute(path(p), "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void setModifiedTime(RootPath p, Instant mtime) throws IOException {
    if (specials.contains(p)) {
      run("touch", "-h", "-d", "@" + mtime.getEpochSecond(), "--", path(p).toString());
      return;
    }
    FileTime t = FileTime.from(mtime);
    Files.getFileAttributeView(path(p), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(t, t, null);
  }

  @Override
  public boolean setXattr(RootPath p, String name, byte[] value) throws IOException {
    if (!userXattrs || !name.startsWith("user.") || name.length() == "user.".length()) {
      return false;
    }
    EntryType type = typeOf(p);
    if (type != EntryType.REGULAR && type != EntryType.DIRECTORY) {
      return false; // Linux allows user.* only on files and directories
    }
    Path host = path(p);
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(
            host, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    try {
      v.write(name.substring("user.".length()), ByteBuffer.wrap(value));
      return true;
    } catch (FileSystemException e) {
      return false; // ENOTSUP / E2BIG on this filesystem: reported as not stored
    }
  }
}
