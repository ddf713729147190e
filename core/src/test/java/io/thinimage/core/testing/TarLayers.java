package io.thinimage.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds small uncompressed tar layers in memory for tests. */
public final class TarLayers {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream out;

  private TarLayers() {
    out = new TarArchiveOutputStream(bytes);
    out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  public static TarLayers layer() {
    return new TarLayers();
  }

  public TarLayers dir(String name) {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
    e.setMode(0755);
    return put(e, null);
  }

  public TarLayers file(String name, String content) {
    return file(name, content, 0644);
  }

  public TarLayers file(String name, String content, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    e.setSize(b.length);
    e.setMode(mode);
    return put(e, b);
  }

  public TarLayers symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    return put(e, null);
  }

  public TarLayers hardlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
    e.setLinkName(target);
    return put(e, null);
  }

  /** An OCI whiteout of {@code name}. */
  public TarLayers whiteout(String name) {
    int slash = name.lastIndexOf('/');
    String wh =
        slash < 0
            ? ".wh." + name
            : name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1);
    return file(wh, "");
  }

  private TarLayers put(TarArchiveEntry e, byte[] body) {
    try {
      out.putArchiveEntry(e);
      if (body != null) {
        out.write(body);
      }
      out.closeArchiveEntry();
      return this;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public byte[] build() {
    try {
      out.finish();
      out.close();
      return bytes.toByteArray();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
