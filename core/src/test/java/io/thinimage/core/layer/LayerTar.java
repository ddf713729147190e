package io.thinimage.core.layer;

import io.thinimage.core.domain.BlobDigest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds layer tarballs for tests, hostile ones included: PAX headers for long names and xattrs,
 * any type flag, any link name, raw header tweaks through a callback.
 */
public final class LayerTar {
  /** The mtime given to entries unless a test says otherwise. */
  public static final Instant MTIME = Instant.parse("2024-01-02T03:04:05Z");

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream out;
  private boolean finished;

  public LayerTar() {
    out = new TarArchiveOutputStream(bytes, "UTF-8");
    out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    out.setAddPaxHeadersForNonAsciiNames(true);
  }

  public static LayerTar layer() {
    return new LayerTar();
  }

  public LayerTar dir(String name) {
    return dir(name, 0755, 0, 0);
  }

  public LayerTar dir(String name, int mode, long uid, long gid) {
    return entry(name, TarConstants.LF_DIR, e -> owner(e.mode(mode), uid, gid), null);
  }

  public LayerTar file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
  }

  public LayerTar file(String name, byte[] content, int mode, long uid, long gid) {
    return entry(name, TarConstants.LF_NORMAL, e -> owner(e.mode(mode), uid, gid), content);
  }

  public LayerTar symlink(String name, String target) {
    return entry(name, TarConstants.LF_SYMLINK, e -> e.link(target), null);
  }

  public LayerTar hardlink(String name, String target) {
    return entry(name, TarConstants.LF_LINK, e -> e.link(target), null);
  }

  public LayerTar whiteout(String name) {
    return file(name, "");
  }

  public LayerTar fifo(String name, int mode) {
    return entry(name, TarConstants.LF_FIFO, e -> e.mode(mode), null);
  }

  public LayerTar device(String name, boolean block, int major, int minor, int mode) {
    return entry(
        name,
        block ? TarConstants.LF_BLK : TarConstants.LF_CHR,
        e -> e.mode(mode).dev(major, minor),
        null);
  }

  /** An entry with full control: type flag, header tweaks, optional content. */
  public LayerTar entry(String name, byte flag, Consumer<Spec> spec, byte[] content) {
    TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
    Spec s = new Spec(e);
    s.mode(flag == TarConstants.LF_DIR ? 0755 : 0644);
    e.setModTime(FileTime.from(MTIME));
    spec.accept(s);
    if (content != null) {
      e.setSize(content.length);
    }
    try {
      out.putArchiveEntry(e);
      if (content != null) {
        out.write(content);
      }
      out.closeArchiveEntry();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return this;
  }

  private static Spec owner(Spec s, long uid, long gid) {
    return s.owner(uid, gid);
  }

  /** The finished archive (end-of-archive marker written). */
  public byte[] bytes() {
    try {
      if (!finished) {
        out.finish();
        out.close();
        finished = true;
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return bytes.toByteArray();
  }

  /** The archive, gzip-compressed. */
  public byte[] gzipped() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(bytes());
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return b.toByteArray();
  }

  /** The sha256 of {@code data}. */
  public static BlobDigest digest(byte[] data) {
    return BlobDigest.of(BlobDigest.newSha256().digest(data));
  }

  /** Header tweaks for one entry. */
  public static final class Spec {
    private final TarArchiveEntry e;

    Spec(TarArchiveEntry e) {
      this.e = e;
    }

    public Spec mode(int mode) {
      e.setMode(mode);
      return this;
    }

    public Spec owner(long uid, long gid) {
      e.setUserId(uid);
      e.setGroupId(gid);
      return this;
    }

    public Spec link(String target) {
      e.setLinkName(target);
      return this;
    }

    public Spec dev(int major, int minor) {
      e.setDevMajor(major);
      e.setDevMinor(minor);
      return this;
    }

    public Spec mtime(Instant t) {
      e.setModTime(FileTime.from(t));
      return this;
    }

    public Spec pax(String key, String value) {
      e.addPaxHeader(key, value);
      return this;
    }

    public Spec xattr(String name, String value) {
      return pax("SCHILY.xattr." + name, value);
    }

    public Spec size(long size) {
      e.setSize(size);
      return this;
    }

    /** The underlying entry, for anything else. */
    public TarArchiveEntry raw() {
      return e;
    }
  }
}
