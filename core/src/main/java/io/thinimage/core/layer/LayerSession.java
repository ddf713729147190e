package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;

/** The state of one layer being applied: the entry loop and the per-type rules. */
final class LayerSession {
  static final String WHITEOUT_PREFIX = ".wh.";
  static final String WHITEOUT_META_PREFIX = ".wh..wh.";
  static final String OPAQUE = ".wh..wh..opq";
  private static final String XATTR_PREFIX = "SCHILY.xattr.";
  private static final String LIBARCHIVE_XATTR_PREFIX = "LIBARCHIVE.xattr.";

  /** The one xattr outside {@code user.*} that is kept (when privileged): file capabilities. */
  static final String CAPABILITY = "security.capability";

  /**
   * Most PAX keywords the reader may hand over for one entry (global ones included): each costs
   * work for every later entry, so thousands of global records times a million entries would be a
   * time bomb.
   */
  static final int MAX_PAX_KEYWORDS = 1024;

  /** Latest mtime kept; later ones (and pre-epoch ones) are clamped, as containerd does. */
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59Z");

  private static final long MAX_ID = 0xFFFF_FFFEL;

  private final RootFilesystem fs;
  private final LayerLimits limits;
  private final Deadline deadline;
  private final InRootResolver resolver;
  private final boolean privileged;

  /** Resolved paths this layer wrote, and their ancestors: what an opaque marker keeps. */
  private final PathTree touched = new PathTree();

  /** Directory modes and times, applied after the last entry, deepest first. */
  private final DeferredDirs dirs = new DeferredDirs();

  /** Entries so far, the current one included: the layer's clock for {@link PathTree}. */
  private int step;

  private long entries;
  private long bytes;
  private long whiteouts;
  private long devicesSkipped;
  private long xattrsSkipped;

  LayerSession(RootFilesystem fs, LayerLimits limits, Deadline deadline) {
    this.fs = fs;
    this.limits = limits;
    this.deadline = deadline;
    this.resolver = new InRootResolver(fs, limits.maxPathDepth());
    this.privileged = fs.privileged();
  }

  long entries() {
    return entries;
  }

  long bytes() {
    return bytes;
  }

  long whiteouts() {
    return whiteouts;
  }

  long devicesSkipped() {
    return devicesSkipped;
  }

  long xattrsSkipped() {
    return xattrsSkipped;
  }

  /** Applies every entry of the tar stream, then the directory modes and times. */
  @SuppressWarnings("resource") // the caller owns the stream; the tar reader holds no resources
  void applyAll(InputStream tarStream) {
    BoundedTarInputStream tar =
        new BoundedTarInputStream(new TarStreamGuard(tarStream, limits, deadline), limits);
    String previous = "start of layer";
    while (true) {
      deadline.check(previous);
      TarArchiveEntry e = next(tar, previous);
      if (e == null) {
        break;
      }
      if (!e.isCheckSumOK()) {
        // GNU tar refuses such a header too: its fields cannot be trusted.
        throw ThinImageException.invalid(
            "layer-malformed", "tar header checksum mismatch at " + quote(e.getName()));
      }
      String name = e.getName();
      countEntry(name);
      step++;
      if (e.getExtraPaxHeaders().size() > MAX_PAX_KEYWORDS) {
        throw ThinImageException.invalid(
            "layer-header-too-large",
            "entry " + quote(name) + " has more than " + MAX_PAX_KEYWORDS + " PAX keywords");
      }
      try {
        applyEntry(tar, e, name);
      } catch (IOException ex) {
        throw ThinImageException.transientFailure(
            "layer-io-error", "filesystem failure applying " + quote(name) + ": " + ex, ex);
      }
      previous = quote(name);
    }
    try {
      dirs.apply();
    } catch (IOException ex) {
      throw ThinImageException.transientFailure(
          "layer-io-error", "filesystem failure setting directory modes and times: " + ex, ex);
    }
  }

  private void countEntry(String name) {
    entries++;
    if (entries > limits.maxEntries()) {
      throw ThinImageException.invalid(
          "layer-too-many-entries",
          "more than "
              + limits.maxEntries()
              + " entries (implied parent directories included), at "
              + quote(name));
    }
  }

  /** A missing parent the resolver created: an entry of its own, and written by this layer. */
  private void impliedDirectory(RootPath dir) {
    countEntry(dir.toString());
    touched.add(dir);
  }

  private static TarArchiveEntry next(BoundedTarInputStream tar, String previous) {
    try {
      return tar.getNextEntry();
    } catch (EOFException ex) {
      throw ThinImageException.invalid(
          "layer-truncated", "tar ends inside a header after " + previous);
    } catch (IOException | RuntimeException ex) {
      if (ex instanceof ThinImageException te) {
        throw te;
      }
      // Commons Compress reports bad headers as IOException or IllegalArgumentException.
      throw ThinImageException.invalid(
          "layer-malformed", "malformed tar header after " + previous + ": " + ex.getMessage());
    }
  }

  private void applyEntry(BoundedTarInputStream tar, TarArchiveEntry e, String name)
      throws IOException {
    String what = "entry " + quote(name);
    checkLength(name, what);
    RootPath path = RootPath.clean(name, what);
    if (path.depth() > limits.maxPathDepth()) {
      throw ThinImageException.invalid(
          "layer-path-too-deep",
          what + " is " + path.depth() + " names deep, limit " + limits.maxPathDepth());
    }
    char type = typeOf(e);
    if (path.isRoot()) {
      if (type != 'd') {
        throw ThinImageException.invalid(
            "layer-root-type-change",
            what + " would replace the root directory with a non-directory");
      }
      applyOwnerAndXattrs(path, e, tar, what);
      dirs.defer(PathTree.ROOT, e.getMode() & 07777, time(e));
      return;
    }
    for (int i = 0; i < path.depth() - 1; i++) {
      if (path.names().get(i).startsWith(WHITEOUT_PREFIX)) {
        throw ThinImageException.invalid(
            "layer-bad-whiteout", what + " lies below a whiteout name");
      }
    }
    String base = path.fileName();
    if (base.startsWith(WHITEOUT_PREFIX)) {
      whiteout(path, base, what);
      return;
    }
    RootPath parent = resolver.resolveDir(path.parent(), true, what, this::impliedDirectory);
    RootPath target = parent.resolve(base);
    switch (type) {
      case 'd' -> directory(tar, target, e, what);
      case 'f' -> regular(tar, target, e, what);
      case 'l' -> symlink(target, e, what);
      case 'h' -> hardlink(target, e, what);
      case 'c', 'b', 'p' -> special(tar, target, e, type, what);
      default -> throw new IllegalStateException("unreachable type " + type);
    }
  }

  /** The entry's kind: d, f, l (symlink), h (hardlink), c, b, p; anything else is refused. */
  private static char typeOf(TarArchiveEntry e) {
    byte flag = e.getLinkFlag();
    switch (flag) {
      case '5':
        return 'd';
      case '0', 0, '7', 'S':
        // Old tars mark directories only by the trailing slash.
        return e.getName().endsWith("/") && flag != 'S' ? 'd' : 'f';
      case '1':
        return 'h';
      case '2':
        return 'l';
      case '3':
        return 'c';
      case '4':
        return 'b';
      case '6':
        return 'p';
      default:
        throw ThinImageException.invalid(
            "layer-unsupported-entry",
            "entry " + quote(e.getName()) + " has unsupported type flag " + (flag & 0xff));
    }
  }

  // ---- whiteouts ----

  private void whiteout(RootPath path, String base, String what) throws IOException {
    whiteouts++;
    if (base.equals(OPAQUE)) {
      RootPath dir = resolver.resolveDir(path.parent(), false, what, this::impliedDirectory);
      if (dir != null) {
        opaque(dir, touched.find(dir));
        touched.add(dir);
      }
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) {
      return; // other AUFS metadata (.wh..wh.plnk, ...): meaningless here, never materialised
    }
    String victim = base.substring(WHITEOUT_PREFIX.length());
    if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
      throw ThinImageException.invalid("layer-bad-whiteout", what + " whites out '" + victim + "'");
    }
    RootPath dir = resolver.resolveDir(path.parent(), false, what, this::impliedDirectory);
    if (dir == null) {
      return; // nothing below to hide
    }
    RootPath target = dir.resolve(victim);
    int node = touched.find(target);
    if (node >= 0) {
      // OCI: a whiteout hides lower layers only; what this layer wrote stays.
      if (fs.typeOf(target) == EntryType.DIRECTORY) {
        opaque(target, node);
      }
      return;
    }
    remove(target);
  }

  /**
   * Removes everything below {@code dir} that this layer did not write; {@code node} is {@code
   * dir}'s node in {@link #touched} (negative if none).
   */
  private void opaque(RootPath dir, int node) throws IOException {
    if (fs.typeOf(dir) != EntryType.DIRECTORY) {
      return;
    }
    for (String child : fs.list(dir)) {
      RootPath c = dir.resolve(child);
      int cn = node < 0 ? -1 : touched.child(node, child);
      if (cn < 0) {
        remove(c);
      } else if (fs.typeOf(c) == EntryType.DIRECTORY) {
        opaque(c, cn);
      }
    }
  }

  // ---- entry types ----

  private void directory(BoundedTarInputStream tar, RootPath target, TarArchiveEntry e, String what)
      throws IOException {
    if (fs.typeOf(target) != EntryType.DIRECTORY) {
      clear(target);
      fs.createDirectory(target);
      resolver.created(target);
    }
    int node = touched.add(target);
    applyOwnerAndXattrs(target, e, tar, what);
    // Mode and time last: a 0555 directory must still take this layer's children.
    dirs.defer(node, e.getMode() & 07777, time(e));
  }

  private void regular(BoundedTarInputStream tar, RootPath target, TarArchiveEntry e, String what)
      throws IOException {
    if (e.isSparse()) {
      sparse(tar, target, e, what);
      return;
    }
    long size = e.getSize();
    checkFileSize(size, what);
    clear(target);
    EntryContent content = new EntryContent(tar, size, deadline, what);
    try {
      fs.createFile(target, content, size);
    } catch (IOException ex) {
      content.rethrowIfSourceFailed();
      throw ex;
    }
    content.rethrowSourceFailure();
    bytes += size;
    touched.add(target);
    applyMetadata(target, e, tar, what);
  }

  /**
   * A GNU sparse file (old GNU header, PAX 0.0, 0.1 or 1.0): only its data extents are read and
   * written, the holes are skipped in the tar stream and left as holes in the file. Its logical
   * size counts against the file and layer limits, as if it were written in full.
   */
  private void sparse(BoundedTarInputStream tar, RootPath target, TarArchiveEntry e, String what)
      throws IOException {
    if (!e.isGNUSparse()) {
      throw ThinImageException.invalid(
          "layer-unsupported-entry", what + " is a star-format sparse file");
    }
    List<TarArchiveStructSparse> declared = e.getSparseHeaders();
    if (declared != null && declared.size() > limits.maxSparseMapEntries()) {
      throw ThinImageException.invalid(
          "layer-sparse-map-too-large",
          what
              + " has "
              + declared.size()
              + " sparse extents, limit "
              + limits.maxSparseMapEntries());
    }
    List<TarArchiveStructSparse> map;
    try {
      map = e.getOrderedSparseHeaders();
    } catch (IOException ex) {
      throw ThinImageException.invalid(
          "layer-malformed", "bad sparse map of " + what + ": " + ex.getMessage());
    }
    long size = e.getRealSize();
    checkFileSize(size, what);
    List<Extent> extents = new ArrayList<>(map.size());
    long stored = 0;
    for (TarArchiveStructSparse s : map) {
      if (s.getNumbytes() > 0) {
        extents.add(new Extent(s.getOffset(), s.getNumbytes()));
        stored += s.getNumbytes();
      }
    }
    clear(target);
    EntryContent content = new EntryContent(new SparseData(tar, extents), stored, deadline, what);
    try {
      fs.createSparseFile(target, content, extents, size);
    } catch (IOException ex) {
      content.rethrowIfSourceFailed();
      throw ex;
    }
    content.rethrowSourceFailure();
    bytes += size;
    touched.add(target);
    applyMetadata(target, e, tar, what);
  }

  private void checkFileSize(long size, String what) {
    if (size < 0 || size > limits.maxFileBytes()) {
      throw ThinImageException.invalid(
          "layer-file-too-large", what + " is " + size + " bytes, limit " + limits.maxFileBytes());
    }
    if (size > limits.maxLayerBytes() - bytes) {
      throw ThinImageException.invalid(
          "layer-too-large",
          what + " would take the layer past its limit of " + limits.maxLayerBytes() + " bytes");
    }
  }

  private void symlink(RootPath target, TarArchiveEntry e, String what) throws IOException {
    String link = e.getLinkName();
    if (link == null || link.isEmpty()) {
      throw ThinImageException.invalid("layer-bad-symlink", what + " is a symlink with no target");
    }
    if (link.indexOf('\0') >= 0) {
      throw ThinImageException.invalid(
          "layer-path-nul", "NUL byte in the symlink target of " + what);
    }
    checkLength(link, "symlink target of " + what);
    clear(target);
    fs.createSymlink(target, link);
    touched.add(target);
    if (privileged) {
      fs.setOwner(target, id(e.getLongUserId(), what), id(e.getLongGroupId(), what));
    }
    fs.setModifiedTime(target, time(e));
  }

  private void hardlink(RootPath target, TarArchiveEntry e, String what) throws IOException {
    String link = e.getLinkName();
    String linkWhat = "hardlink target of " + what;
    checkLength(link, linkWhat);
    RootPath named = RootPath.clean(link, linkWhat);
    if (named.isRoot()) {
      throw ThinImageException.invalid("layer-hardlink-to-directory", what + " links to the root");
    }
    RootPath dir = resolver.resolveDir(named.parent(), false, linkWhat, this::impliedDirectory);
    RootPath source = dir == null ? null : dir.resolve(named.fileName());
    EntryType t = source == null ? EntryType.ABSENT : fs.typeOf(source);
    if (t == EntryType.ABSENT) {
      throw ThinImageException.invalid(
          "layer-hardlink-target-missing", what + " links to missing " + quote(link));
    }
    if (t == EntryType.DIRECTORY) {
      throw ThinImageException.invalid(
          "layer-hardlink-to-directory", what + " links to directory " + quote(link));
    }
    if (source.equals(target)) {
      touched.add(target);
      return; // a link to itself: already there
    }
    clear(target);
    if (fs.typeOf(source) == EntryType.ABSENT) {
      throw ThinImageException.invalid(
          "layer-hardlink-target-missing", what + " removed its own target " + quote(link));
    }
    fs.createHardlink(target, source);
    touched.add(target);
  }

  private void special(
      BoundedTarInputStream tar, RootPath target, TarArchiveEntry e, char type, String what)
      throws IOException {
    EntryType kind =
        switch (type) {
          case 'c' -> EntryType.CHAR_DEVICE;
          case 'b' -> EntryType.BLOCK_DEVICE;
          default -> EntryType.FIFO;
        };
    int major = 0;
    int minor = 0;
    if (kind != EntryType.FIFO) {
      major = e.getDevMajor();
      minor = e.getDevMinor();
      // Linux dev_t: 12-bit major, 20-bit minor.
      if (major < 0 || major >= (1 << 12) || minor < 0 || minor >= (1 << 20)) {
        throw ThinImageException.invalid(
            "layer-bad-device", what + " has device number " + major + "," + minor);
      }
      if (!privileged) {
        devicesSkipped++;
        return;
      }
    }
    clear(target);
    fs.createSpecial(target, kind, major, minor);
    touched.add(target);
    applyMetadata(target, e, tar, what);
  }

  // ---- metadata ----

  /**
   * Owner, xattrs, time, then mode: chown can clear setuid, and a mode without read permission
   * (0000) would stop a non-root process from setting the time, which opens the file.
   */
  private void applyMetadata(
      RootPath target, TarArchiveEntry e, BoundedTarInputStream tar, String what)
      throws IOException {
    applyOwnerAndXattrs(target, e, tar, what);
    fs.setModifiedTime(target, time(e));
    fs.setMode(target, e.getMode() & 07777);
  }

  private void applyOwnerAndXattrs(
      RootPath target, TarArchiveEntry e, BoundedTarInputStream tar, String what)
      throws IOException {
    if (privileged) {
      fs.setOwner(target, id(e.getLongUserId(), what), id(e.getLongGroupId(), what));
    }
    Map<String, byte[]> raw = tar.rawXattrs();
    for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
      String key = h.getKey();
      String attr;
      byte[] value;
      if (key.startsWith(XATTR_PREFIX)) {
        attr = key.substring(XATTR_PREFIX.length());
        byte[] r = raw.get(key);
        value = r != null ? r : h.getValue().getBytes(StandardCharsets.UTF_8);
      } else if (key.startsWith(LIBARCHIVE_XATTR_PREFIX)) {
        attr = percentDecode(key.substring(LIBARCHIVE_XATTR_PREFIX.length()));
        if (attr == null || e.getExtraPaxHeaders().containsKey(XATTR_PREFIX + attr)) {
          xattrsSkipped++; // undecodable, or the SCHILY record of the same attribute wins
          continue;
        }
        checkXattrSize(attr, h.getValue().length() / 4L * 3, what);
        try {
          value = Base64.getDecoder().decode(h.getValue().strip());
        } catch (IllegalArgumentException ex) {
          xattrsSkipped++;
          continue;
        }
      } else {
        continue;
      }
      checkXattrSize(attr, value.length, what);
      if (!xattrKept(attr) || !fs.setXattr(target, attr, value)) {
        xattrsSkipped++;
      }
    }
  }

  private void checkXattrSize(String attr, long size, String what) {
    if (size > limits.maxXattrValueBytes()) {
      throw ThinImageException.invalid(
          "layer-xattr-too-large",
          "xattr "
              + quote(attr)
              + " of "
              + what
              + " is "
              + size
              + " bytes, limit "
              + limits.maxXattrValueBytes());
    }
  }

  /**
   * Which extended attributes a layer may set: {@code user.*}, and file capabilities ({@code
   * security.capability}) when privileged. Dropped (and counted): {@code trusted.*} and {@code
   * system.*} (ACLs and other kernel-interpreted state of the host), {@code security.selinux} and
   * every other {@code security.*} label (the host's policy decides them), unknown namespaces.
   */
  boolean xattrKept(String attr) {
    if (attr.startsWith("user.")) {
      return attr.length() > "user.".length();
    }
    return privileged && attr.equals(CAPABILITY);
  }

  /** libarchive's %-encoding of xattr names; null if malformed. */
  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] out = new byte[s.length()];
    int n = 0;
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%') {
        if (i + 2 >= in.length) {
          return null;
        }
        int hi = Character.digit(in[i + 1], 16);
        int lo = Character.digit(in[i + 2], 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out[n++] = (byte) (hi * 16 + lo);
        i += 2;
      } else {
        out[n++] = in[i];
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static Instant time(TarArchiveEntry e) {
    FileTime t = e.getLastModifiedTime();
    Instant i = t == null ? Instant.EPOCH : t.toInstant();
    if (i.isBefore(Instant.EPOCH)) {
      return Instant.EPOCH;
    }
    return i.isAfter(MAX_TIME) ? MAX_TIME : i;
  }

  private static long id(long id, String what) {
    if (id < 0 || id > MAX_ID) {
      throw ThinImageException.invalid("layer-bad-owner", what + " has owner id " + id);
    }
    return id;
  }

  // ---- helpers ----

  /** Removes whatever is at {@code target} so a new entry can take its place. */
  private void clear(RootPath target) throws IOException {
    if (fs.typeOf(target) != EntryType.ABSENT) {
      remove(target);
    }
  }

  private void remove(RootPath target) throws IOException {
    fs.remove(target);
    resolver.invalidate();
    int node = touched.find(target);
    if (node >= 0) {
      touched.markRemoved(node, step);
    }
  }

  private void checkLength(String name, String what) {
    if (name.length() > limits.maxPathBytes()
        || name.getBytes(StandardCharsets.UTF_8).length > limits.maxPathBytes()) {
      throw ThinImageException.invalid(
          "layer-path-too-long", what + " is longer than " + limits.maxPathBytes() + " bytes");
    }
  }

  static String quote(String name) {
    String shown = name.length() > 200 ? name.substring(0, 200) + "..." : name;
    return "'" + shown.replace("\0", "\\0") + "'";
  }

  /**
   * Directory modes and times, kept per node of {@link #touched} in packed arrays and applied after
   * the last entry, deepest first: a directory's mode can forbid writing into it (0555) or even
   * reading it (0000), which must not stop this layer's own later entries below it.
   */
  private final class DeferredDirs {
    private int[] node = new int[16];
    private int[] mode = new int[16];
    private long[] seconds = new long[16];
    private int[] nanos = new int[16];
    private int[] setAt = new int[16];
    private int count;

    void defer(int n, int m, Instant t) {
      int slot = touched.tag(n);
      if (slot < 0) {
        slot = count++;
        if (slot == node.length) {
          int cap = node.length + (node.length >> 1);
          node = Arrays.copyOf(node, cap);
          mode = Arrays.copyOf(mode, cap);
          seconds = Arrays.copyOf(seconds, cap);
          nanos = Arrays.copyOf(nanos, cap);
          setAt = Arrays.copyOf(setAt, cap);
        }
        touched.setTag(n, slot);
        node[slot] = n;
      }
      mode[slot] = m;
      seconds[slot] = t.getEpochSecond();
      nanos[slot] = t.getNano();
      setAt[slot] = step;
    }

    void apply() throws IOException {
      long[] order = new long[count];
      int k = 0;
      for (int s = 0; s < count; s++) {
        if (!touched.removedSince(node[s], setAt[s])) {
          // deepest first: sort ascending on (-depth, slot)
          order[k++] = ((long) -touched.depth(node[s]) << 32) | s;
        }
      }
      Arrays.sort(order, 0, k);
      for (int i = 0; i < k; i++) {
        deadline.check("directory metadata");
        int s = (int) order[i];
        RootPath p = touched.path(node[s]);
        if (isDirectoryNow(p)) {
          fs.setModifiedTime(p, Instant.ofEpochSecond(seconds[s], nanos[s]));
          fs.setMode(p, mode[s]);
        }
      }
    }

    /** A later entry may have replaced the directory or a parent (with a symlink, say). */
    private boolean isDirectoryNow(RootPath p) throws IOException {
      try {
        return fs.typeOf(p) == EntryType.DIRECTORY;
      } catch (NoSuchFileException | NotDirectoryException ex) {
        return false;
      } catch (ThinImageException ex) {
        if (ex.code().equals("layer-path-through-symlink")) {
          return false;
        }
        throw ex;
      }
    }
  }

  /**
   * The data extents of a sparse entry, read from the tar reader in order: each hole before an
   * extent is skipped (the reader skips a hole without producing its zeros), and a read never
   * crosses an extent's end, which keeps the reader's own extent streams in step.
   */
  private static final class SparseData extends InputStream {
    private final InputStream tar;
    private final List<Extent> extents;
    private int index;
    private long pos;

    SparseData(InputStream tar, List<Extent> extents) {
      this.tar = tar;
      this.extents = extents;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int r = read(one, 0, 1);
      return r < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (index >= extents.size()) {
        return -1;
      }
      Extent x = extents.get(index);
      while (pos < x.offset()) {
        long s = tar.skip(x.offset() - pos);
        if (s <= 0) {
          throw new EOFException("sparse data ends inside a hole");
        }
        pos += s;
      }
      int n = (int) Math.min(len, x.end() - pos);
      int r = tar.read(b, off, n);
      if (r < 0) {
        return -1;
      }
      pos += r;
      if (pos == x.end()) {
        index++;
      }
      return r;
    }
  }
}
