package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The state of one layer being applied: the entry loop and the per-type rules. */
final class LayerSession {
  static final String WHITEOUT_PREFIX = ".wh.";
  static final String WHITEOUT_META_PREFIX = ".wh..wh.";
  static final String OPAQUE = ".wh..wh..opq";
  private static final String XATTR_PREFIX = "SCHILY.xattr.";

  /** Latest mtime kept; later ones (and pre-epoch ones) are clamped, as containerd does. */
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59Z");

  private static final long MAX_ID = 0xFFFF_FFFEL;

  private final RootFilesystem fs;
  private final LayerLimits limits;
  private final Deadline deadline;
  private final InRootResolver resolver;
  private final boolean privileged;

  /** Resolved paths this layer wrote, and all their ancestors: what an opaque marker keeps. */
  private final Set<RootPath> touched = new HashSet<>();

  /** Directory mtimes, applied after the last entry so later children do not disturb them. */
  private final Map<RootPath, Instant> dirTimes = new LinkedHashMap<>();

  private long entries;
  private long bytes;
  private long whiteouts;
  private long devicesSkipped;
  private long xattrsSkipped;

  LayerSession(RootFilesystem fs, LayerLimits limits, Deadline deadline) {
    this.fs = fs;
    this.limits = limits;
    this.deadline = deadline;
    this.resolver = new InRootResolver(fs);
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

  /** Applies every entry of the tar stream, then the directory times. */
  @SuppressWarnings("resource") // the caller owns the stream; the tar reader holds no resources
  void applyAll(InputStream tarStream) {
    TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, "UTF-8");
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
      entries++;
      String name = e.getName();
      if (entries > limits.maxEntries()) {
        throw ThinImageException.invalid(
            "layer-too-many-entries",
            "more than " + limits.maxEntries() + " entries, at " + quote(name));
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
      for (Map.Entry<RootPath, Instant> d : dirTimes.entrySet()) {
        if (isDirectoryNow(d.getKey())) {
          fs.setModifiedTime(d.getKey(), d.getValue());
        }
      }
    } catch (IOException ex) {
      throw ThinImageException.transientFailure(
          "layer-io-error", "filesystem failure setting directory times: " + ex, ex);
    }
  }

  /**
   * Whether {@code dir} is still a directory reached through directories only: a later entry of the
   * layer may have replaced it or any of its parents.
   */
  private boolean isDirectoryNow(RootPath dir) throws IOException {
    for (int i = 1; i <= dir.depth(); i++) {
      if (fs.typeOf(new RootPath(dir.names().subList(0, i))) != EntryType.DIRECTORY) {
        return false;
      }
    }
    return true;
  }

  private static TarArchiveEntry next(TarArchiveInputStream tar, String previous) {
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

  private void applyEntry(TarArchiveInputStream tar, TarArchiveEntry e, String name)
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
      applyMetadata(path, e, what, true);
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
    RootPath parent = resolver.resolveDir(path.parent(), true, what, touched);
    RootPath target = parent.resolve(base);
    switch (type) {
      case 'd' -> directory(target, e, what);
      case 'f' -> regular(tar, target, e, what);
      case 'l' -> symlink(target, e, what);
      case 'h' -> hardlink(target, e, what);
      case 'c', 'b', 'p' -> special(target, e, type, what);
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
      RootPath dir = resolver.resolveDir(path.parent(), false, what, touched);
      if (dir != null) {
        opaque(dir);
        markTouched(dir);
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
    RootPath dir = resolver.resolveDir(path.parent(), false, what, touched);
    if (dir == null) {
      return; // nothing below to hide
    }
    RootPath target = dir.resolve(victim);
    if (touched.contains(target)) {
      // OCI: a whiteout hides lower layers only; what this layer wrote stays.
      if (fs.typeOf(target) == EntryType.DIRECTORY) {
        opaque(target);
      }
      return;
    }
    remove(target);
  }

  /** Removes everything below {@code dir} that this layer did not write. */
  private void opaque(RootPath dir) throws IOException {
    if (fs.typeOf(dir) != EntryType.DIRECTORY) {
      return;
    }
    for (String child : fs.list(dir)) {
      RootPath c = dir.resolve(child);
      if (!touched.contains(c)) {
        remove(c);
      } else if (fs.typeOf(c) == EntryType.DIRECTORY) {
        opaque(c);
      }
    }
  }

  // ---- entry types ----

  private void directory(RootPath target, TarArchiveEntry e, String what) throws IOException {
    if (fs.typeOf(target) != EntryType.DIRECTORY) {
      clear(target);
      fs.createDirectory(target);
      resolver.created(target);
    }
    markTouched(target);
    applyMetadata(target, e, what, true);
  }

  private void regular(TarArchiveInputStream tar, RootPath target, TarArchiveEntry e, String what)
      throws IOException {
    long size = e.isSparse() ? e.getRealSize() : e.getSize();
    if (size < 0 || size > limits.maxFileBytes()) {
      throw ThinImageException.invalid(
          "layer-file-too-large", what + " is " + size + " bytes, limit " + limits.maxFileBytes());
    }
    if (size > limits.maxLayerBytes() - bytes) {
      throw ThinImageException.invalid(
          "layer-too-large",
          what + " would take the layer past its limit of " + limits.maxLayerBytes() + " bytes");
    }
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
    markTouched(target);
    applyMetadata(target, e, what, false);
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
    markTouched(target);
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
    RootPath dir = resolver.resolveDir(named.parent(), false, linkWhat, touched);
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
      markTouched(target);
      return; // a link to itself: already there
    }
    clear(target);
    if (fs.typeOf(source) == EntryType.ABSENT) {
      throw ThinImageException.invalid(
          "layer-hardlink-target-missing", what + " removed its own target " + quote(link));
    }
    fs.createHardlink(target, source);
    markTouched(target);
  }

  private void special(RootPath target, TarArchiveEntry e, char type, String what)
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
    markTouched(target);
    applyMetadata(target, e, what, false);
  }

  // ---- metadata ----

  /** Owner, then xattrs, then mode (chown can clear setuid), then time (dirs: deferred). */
  private void applyMetadata(RootPath target, TarArchiveEntry e, String what, boolean dir)
      throws IOException {
    if (privileged) {
      fs.setOwner(target, id(e.getLongUserId(), what), id(e.getLongGroupId(), what));
    }
    for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
      if (!h.getKey().startsWith(XATTR_PREFIX)) {
        continue;
      }
      String attr = h.getKey().substring(XATTR_PREFIX.length());
      if (attr.startsWith("trusted.")
          || attr.equals("security.selinux")
          || attr.equals("system.nfs4_acl")
          || !fs.setXattr(target, attr, h.getValue().getBytes(StandardCharsets.UTF_8))) {
        xattrsSkipped++;
      }
    }
    fs.setMode(target, e.getMode() & 07777);
    if (dir) {
      dirTimes.put(target, time(e));
    } else {
      fs.setModifiedTime(target, time(e));
    }
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
  }

  private void markTouched(RootPath p) {
    RootPath cur = p;
    while (touched.add(cur) && !cur.isRoot()) {
      cur = cur.parent();
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
}
