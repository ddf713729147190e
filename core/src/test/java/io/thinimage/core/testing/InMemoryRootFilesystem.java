package io.thinimage.core.testing;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.layer.EntryType;
import io.thinimage.core.layer.Extent;
import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.layer.RootPath;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A faithful in-memory {@link RootFilesystem}: a tree of inodes (hardlinks share one), with owners,
 * full modes, mtimes and xattrs, that refuses exactly what the real seam refuses (a parent that is
 * a symlink or not a directory, creating over an existing entry). Used as the volume contents of
 * the fake pool and as the reference model in the layer property tests.
 */
public final class InMemoryRootFilesystem implements RootFilesystem {

  private static final int DEFAULT_DIR_MODE = 0755;
  private static final int DEFAULT_FILE_MODE = 0644;

  /** One inode; a directory's children map names to inodes. */
  private static final class Inode {
    EntryType type;
    int mode;
    long uid;
    long gid;
    Instant mtime = Instant.EPOCH;
    byte[] content = new byte[0];

    /** Bytes actually written: less than the size for a sparse file with holes. */
    long allocated;

    String target;
    int major;
    int minor;
    final TreeMap<String, byte[]> xattrs = new TreeMap<>();
    final TreeMap<String, Inode> children = new TreeMap<>();

    Inode(EntryType type, int mode) {
      this.type = type;
      this.mode = mode;
    }
  }

  private final boolean privileged;

  /**
   * Whether owner permission bits are enforced as the kernel (and java.nio) enforce them on a
   * process that owns every file but is not root: see {@link #unprivilegedOwner()}.
   */
  private boolean enforcePermissions;

  private final Inode root;

  /** An empty, privileged root (ownership and devices applied, as when running as root). */
  public InMemoryRootFilesystem() {
    this(true);
  }

  /** An empty root; {@code privileged} false models a non-root process. */
  public InMemoryRootFilesystem(boolean privileged) {
    this(privileged, new Inode(EntryType.DIRECTORY, DEFAULT_DIR_MODE));
  }

  private InMemoryRootFilesystem(boolean privileged, Inode root) {
    this.privileged = privileged;
    this.root = root;
  }

  /**
   * An unprivileged root that enforces the owner's permission bits like Linux does for a non-root
   * owner: adding or removing a name needs {@code wx} on the directory, looking through a directory
   * needs {@code x}, listing it {@code rx}; setting a mode or a time needs {@code r} on the entry
   * (java.nio opens it for that), setting a user xattr {@code w}.
   */
  public static InMemoryRootFilesystem unprivilegedOwner() {
    InMemoryRootFilesystem fs = new InMemoryRootFilesystem(false);
    fs.enforcePermissions = true;
    return fs;
  }

  private void need(Inode n, int bits, RootPath path, String op) throws IOException {
    if (enforcePermissions && (n.mode & bits) != bits) {
      throw new java.nio.file.AccessDeniedException(
          path.toString(), null, op + " needs mode bits " + Integer.toOctalString(bits));
    }
  }

  /** A deep copy; hardlinked entries stay hardlinked to each other within the copy. */
  public synchronized InMemoryRootFilesystem copy() {
    return new InMemoryRootFilesystem(privileged, deepCopy(root, new IdentityHashMap<>()));
  }

  private static Inode deepCopy(Inode src, Map<Inode, Inode> seen) {
    Inode done = seen.get(src);
    if (done != null) {
      return done;
    }
    Inode c = new Inode(src.type, src.mode);
    seen.put(src, c);
    c.uid = src.uid;
    c.gid = src.gid;
    c.mtime = src.mtime;
    c.content = src.content.clone();
    c.allocated = src.allocated;
    c.target = src.target;
    c.major = src.major;
    c.minor = src.minor;
    src.xattrs.forEach((k, v) -> c.xattrs.put(k, v.clone()));
    src.children.forEach((k, v) -> c.children.put(k, deepCopy(v, seen)));
    return c;
  }

  /**
   * The whole tree for assertions: relative path (the root is {@code "."}) to a one-line
   * description, {@code "dir 0755 0:0"}, {@code "file 0644 0:0 size=3 sha=<12 hex> links=1
   * mtime=<epoch s>"}, {@code "symlink 0:0 -> target"}, {@code "fifo 0644 0:0 links=1"}, {@code
   * "char 0600 0:0 1,3 links=1"}; files and dirs with xattrs end with {@code " xattrs=[names]"}.
   * Directory and symlink times are left out: real filesystems move them as children change.
   */
  public synchronized Map<String, String> describe() {
    Map<Inode, Integer> links = new IdentityHashMap<>();
    countLinks(root, links);
    Map<String, String> out = new TreeMap<>();
    describe(".", "", root, links, out);
    return out;
  }

  private static void countLinks(Inode dir, Map<Inode, Integer> links) {
    for (Inode c : dir.children.values()) {
      links.merge(c, 1, Integer::sum);
      if (c.type == EntryType.DIRECTORY) {
        countLinks(c, links);
      }
    }
  }

  private static void describe(
      String key, String prefix, Inode n, Map<Inode, Integer> links, Map<String, String> out) {
    out.put(key, describeOne(n, links.getOrDefault(n, 1)));
    for (Map.Entry<String, Inode> e : n.children.entrySet()) {
      String child = prefix + e.getKey();
      describe(child, child + "/", e.getValue(), links, out);
    }
  }

  private static String describeOne(Inode n, int links) {
    String owner = n.uid + ":" + n.gid;
    String mode = String.format("%04o", n.mode);
    String xattrs = n.xattrs.isEmpty() ? "" : " xattrs=" + n.xattrs.keySet();
    switch (n.type) {
      case DIRECTORY:
        return "dir " + mode + " " + owner + xattrs;
      case REGULAR:
        return "file "
            + mode
            + " "
            + owner
            + " size="
            + n.content.length
            + " sha="
            + sha12(n.content)
            + " links="
            + links
            + " mtime="
            + n.mtime.getEpochSecond()
            + xattrs;
      case SYMLINK:
        return "symlink " + owner + " -> " + n.target;
      case FIFO:
        return "fifo " + mode + " " + owner + " links=" + links;
      case CHAR_DEVICE:
        return "char " + mode + " " + owner + " " + n.major + "," + n.minor + " links=" + links;
      case BLOCK_DEVICE:
        return "block " + mode + " " + owner + " " + n.major + "," + n.minor + " links=" + links;
      default:
        return "other";
    }
  }

  /** The first 12 hex digits of the sha256 of {@code bytes}, as {@link #describe()} shows them. */
  public static String sha12(byte[] bytes) {
    return BlobDigest.of(BlobDigest.newSha256().digest(bytes)).shortHex();
  }

  /** The content of the regular file at {@code path} (relative, no leading slash needed). */
  public synchronized byte[] readFile(String path) throws IOException {
    Inode n = lookup(RootPath.clean(path, path));
    if (n == null || n.type != EntryType.REGULAR) {
      throw new NoSuchFileException(path);
    }
    return n.content.clone();
  }

  /**
   * Bytes written into the regular file at {@code path}: its size, or for a sparse file only its
   * data extents (the holes were never written).
   */
  public synchronized long allocatedBytes(String path) throws IOException {
    Inode n = lookup(RootPath.clean(path, path));
    if (n == null || n.type != EntryType.REGULAR) {
      throw new NoSuchFileException(path);
    }
    return n.allocated;
  }

  /** The raw value of xattr {@code name} of {@code path}, or null. */
  public synchronized byte[] xattr(String path, String name) throws IOException {
    Inode n = existing(RootPath.clean(path, path));
    byte[] v = n.xattrs.get(name);
    return v == null ? null : v.clone();
  }

  // ---- the seam ----

  @Override
  public synchronized EntryType typeOf(RootPath path) throws IOException {
    Inode n = lookup(path);
    return n == null ? EntryType.ABSENT : n.type;
  }

  @Override
  public synchronized String readSymlink(RootPath path) throws IOException {
    Inode n = existing(path);
    if (n.type != EntryType.SYMLINK) {
      throw new FileSystemException(path + ": not a symlink");
    }
    return n.target;
  }

  @Override
  public synchronized List<String> list(RootPath dir) throws IOException {
    Inode n = existing(dir);
    if (n.type != EntryType.DIRECTORY) {
      throw new NotDirectoryException(dir.toString());
    }
    need(n, 0500, dir, "list");
    return new ArrayList<>(n.children.keySet());
  }

  @Override
  public synchronized void createDirectory(RootPath path) throws IOException {
    add(path, new Inode(EntryType.DIRECTORY, DEFAULT_DIR_MODE));
  }

  @Override
  public synchronized void createFile(RootPath path, InputStream content, long size)
      throws IOException {
    Inode parent = parentDir(path);
    if (parent.children.containsKey(path.fileName())) {
      throw new FileAlreadyExistsException(path.toString());
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException("too large for the in-memory filesystem: " + size);
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.min(size, 1 << 16));
    byte[] chunk = new byte[8192];
    long left = size;
    while (left > 0) {
      int r = content.read(chunk, 0, (int) Math.min(chunk.length, left));
      if (r < 0) {
        throw new EOFException(path + ": content ended " + left + " bytes early");
      }
      buf.write(chunk, 0, r);
      left -= r;
    }
    Inode f = new Inode(EntryType.REGULAR, DEFAULT_FILE_MODE);
    f.content = buf.toByteArray();
    f.allocated = f.content.length;
    add(path, f);
  }

  /** Sparse files up to 64 MiB (logical) are kept, holes as zeros that are not counted written. */
  @Override
  public synchronized void createSparseFile(
      RootPath path, InputStream data, List<Extent> extents, long size) throws IOException {
    Inode parent = parentDir(path);
    if (parent.children.containsKey(path.fileName())) {
      throw new FileAlreadyExistsException(path.toString());
    }
    if (size > MAX_SPARSE_SIZE) {
      throw new IOException("too large for the in-memory filesystem: " + size);
    }
    byte[] content = new byte[(int) size];
    long written = 0;
    long end = 0;
    for (Extent x : extents) {
      if (x.offset() < end || x.end() > size) {
        throw new IllegalArgumentException("extents out of order or past the size: " + extents);
      }
      int off = (int) x.offset();
      int left = (int) x.length();
      while (left > 0) {
        int r = data.read(content, off, left);
        if (r < 0) {
          throw new EOFException(path + ": content ended " + left + " bytes early");
        }
        off += r;
        left -= r;
      }
      written += x.length();
      end = x.end();
    }
    Inode f = new Inode(EntryType.REGULAR, DEFAULT_FILE_MODE);
    f.content = content;
    f.allocated = written;
    add(path, f);
  }

  private static final long MAX_SPARSE_SIZE = 64L << 20;

  @Override
  public synchronized void createSymlink(RootPath path, String target) throws IOException {
    Inode s = new Inode(EntryType.SYMLINK, 0777);
    s.target = normalizeLikeNio(target);
    add(path, s);
  }

  /** java.nio stores a symlink target with repeated and trailing slashes dropped; so do we. */
  private static String normalizeLikeNio(String target) {
    String t = target.replaceAll("/{2,}", "/");
    return t.length() > 1 && t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
  }

  @Override
  public synchronized void createHardlink(RootPath path, RootPath target) throws IOException {
    Inode t = existing(target);
    if (t.type == EntryType.DIRECTORY) {
      throw new FileSystemException(target + ": cannot hardlink a directory");
    }
    add(path, t);
  }

  @Override
  public synchronized void createSpecial(RootPath path, EntryType type, int major, int minor)
      throws IOException {
    if (type != EntryType.FIFO && type != EntryType.CHAR_DEVICE && type != EntryType.BLOCK_DEVICE) {
      throw new IllegalArgumentException("not a special type: " + type);
    }
    if (type != EntryType.FIFO && !privileged) {
      throw new FileSystemException(path + ": mknod needs privilege");
    }
    Inode n = new Inode(type, DEFAULT_FILE_MODE);
    if (type != EntryType.FIFO) {
      n.major = major;
      n.minor = minor;
    }
    add(path, n);
  }

  @Override
  public synchronized void remove(RootPath path) throws IOException {
    if (path.isRoot()) {
      throw new FileSystemException("refusing to remove the root");
    }
    Inode parent = parentDir(path);
    Inode gone = parent.children.get(path.fileName());
    if (gone != null) {
      need(parent, 0300, path, "remove");
      removeBelow(gone, path);
    }
    parent.children.remove(path.fileName());
  }

  /** rm -r as the owner: every directory emptied must allow it. */
  private void removeBelow(Inode n, RootPath path) throws IOException {
    if (n.type == EntryType.DIRECTORY && !n.children.isEmpty()) {
      need(n, 0700, path, "remove below");
      for (Map.Entry<String, Inode> c : n.children.entrySet()) {
        removeBelow(c.getValue(), path.resolve(c.getKey()));
      }
    }
  }

  @Override
  public synchronized void setOwner(RootPath path, long uid, long gid) throws IOException {
    if (!privileged) {
      throw new FileSystemException(path + ": chown needs privilege");
    }
    Inode n = existing(path);
    n.uid = uid;
    n.gid = gid;
  }

  @Override
  public synchronized void setMode(RootPath path, int mode) throws IOException {
    Inode n = existing(path);
    if (n.type == EntryType.SYMLINK) {
      throw new FileSystemException(path + ": chmod of a symlink");
    }
    need(n, 0400, path, "chmod");
    n.mode = mode & 07777;
  }

  @Override
  public synchronized void setModifiedTime(RootPath path, Instant mtime) throws IOException {
    Inode n = existing(path);
    if (n.type != EntryType.SYMLINK) {
      need(n, 0400, path, "set times");
    }
    n.mtime = mtime;
  }

  @Override
  public synchronized boolean setXattr(RootPath path, String name, byte[] value)
      throws IOException {
    Inode n = existing(path);
    // The user namespace, as the java.nio seam; file capabilities too when privileged.
    boolean reachable =
        name.startsWith("user.") || (privileged && name.equals("security.capability"));
    if (!reachable || (n.type != EntryType.REGULAR && n.type != EntryType.DIRECTORY)) {
      return false;
    }
    need(n, 0200, path, "setxattr");
    n.xattrs.put(name, value.clone());
    return true;
  }

  @Override
  public boolean privileged() {
    return privileged;
  }

  // ---- tree walking ----

  /** The inode at {@code path}, or null; parents must be real directories. */
  private Inode lookup(RootPath path) throws IOException {
    if (path.isRoot()) {
      return root;
    }
    return parentDir(path).children.get(path.fileName());
  }

  private Inode existing(RootPath path) throws IOException {
    Inode n = lookup(path);
    if (n == null) {
      throw new NoSuchFileException(path.toString());
    }
    return n;
  }

  private Inode parentDir(RootPath path) throws IOException {
    Inode cur = root;
    List<String> names = path.names();
    for (int i = 0; i < names.size() - 1; i++) {
      Inode next = cur.children.get(names.get(i));
      if (next == null) {
        throw new NoSuchFileException(path.toString());
      }
      if (next.type == EntryType.SYMLINK) {
        throw ThinImageException.invalid(
            "layer-path-through-symlink", "a parent of " + path + " is a symlink");
      }
      if (next.type != EntryType.DIRECTORY) {
        throw new NotDirectoryException(path.toString());
      }
      need(next, 0100, path, "look through");
      cur = next;
    }
    return cur;
  }

  private void add(RootPath path, Inode n) throws IOException {
    if (path.isRoot()) {
      throw new FileAlreadyExistsException("/");
    }
    Inode parent = parentDir(path);
    need(parent, 0300, path, "create");
    if (parent.children.putIfAbsent(path.fileName(), n) != null) {
      throw new FileAlreadyExistsException(path.toString());
    }
  }
}
