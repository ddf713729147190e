package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Commons Compress's tar reader with every piece of header metadata held to its {@link LayerLimits}
 * cap <em>before</em> the reader buffers it. Left alone, the reader reads a GNU long-name ({@code
 * L}) or long-link ({@code K}) record whole into a byte array, a PAX header ({@code x}, {@code g})
 * into a map, and an old-GNU sparse header's chain of extension blocks into a list, whatever size
 * the header claims — a 2 MB gzip layer can announce a 2 GiB name — and it recurses once per
 * extended header, so a long chain of them overflows the stack.
 *
 * <p>The checks sit on the reader's own extension points rather than on a second header parser in
 * front of it: {@link #getNextEntry()} (which the reader also calls for each extended header),
 * {@link #getLongNameData()}, {@link #readRecord()} and {@link #read(byte[], int, int)}. So the
 * bytes are counted exactly where the reader consumes them, and a hostile archive cannot make a
 * pre-scanner and the reader disagree about where a header starts. The one piece read elsewhere,
 * the PAX 1.0 sparse map, is bounded by {@link TarStreamGuard} below. Tied to commons-compress
 * 1.28's reader; the layer tests prove every cap, so an upgrade that moves these paths fails them.
 */
final class BoundedTarInputStream extends TarArchiveInputStream {
  /**
   * Most extended headers before one entry: GNU tar writes at most a long name, a long link and a
   * PAX header (and a global one) for an entry.
   */
  static final int MAX_HEADER_CHAIN = 16;

  private final LayerLimits limits;

  /** Records the reader may read for one entry: its headers, the end marker, sparse extensions. */
  private final long maxRecordsPerEntry;

  private int depth;
  private long records;
  private long globalPaxBytes;
  private TarArchiveEntry sized;

  /** The raw bytes of the PAX headers read for the entry being read, outermost first. */
  private final List<ByteArrayOutputStream> paxRaw = new ArrayList<>();

  private Map<String, byte[]> rawXattrs = Map.of();

  BoundedTarInputStream(TarStreamGuard in, LayerLimits limits) {
    super(in, "UTF-8");
    this.limits = limits;
    // An old GNU header holds 4 extents, each extension block 21 more.
    long blocks = Math.max(0, limits.maxSparseMapEntries() - 4 + 20) / 21;
    this.maxRecordsPerEntry = MAX_HEADER_CHAIN + 2 + blocks;
  }

  @Override
  public TarArchiveEntry getNextEntry() throws IOException {
    boolean outermost = depth == 0;
    if (outermost) {
      records = 0;
      paxRaw.clear();
    }
    if (++depth > MAX_HEADER_CHAIN) {
      throw ThinImageException.invalid(
          "layer-header-too-large",
          "more than " + MAX_HEADER_CHAIN + " extended headers in a row before one entry");
    }
    try {
      TarArchiveEntry e = super.getNextEntry();
      if (outermost) {
        rawXattrs = xattrRecords(paxRaw);
        paxRaw.clear();
      }
      return e;
    } finally {
      depth--;
    }
  }

  /**
   * The xattr records ({@code SCHILY.xattr.*}, {@code LIBARCHIVE.xattr.*}) of the local PAX headers
   * of the entry last returned, with their values as raw bytes: the reader decodes every PAX value
   * as UTF-8, which mangles binary values such as {@code security.capability}.
   */
  Map<String, byte[]> rawXattrs() {
    return rawXattrs;
  }

  private static Map<String, byte[]> xattrRecords(List<ByteArrayOutputStream> headers) {
    Map<String, byte[]> out = new HashMap<>();
    for (ByteArrayOutputStream h : headers) {
      byte[] b = h.toByteArray();
      int pos = 0;
      while (pos < b.length) {
        int sp = pos;
        long len = 0;
        while (sp < b.length && b[sp] >= '0' && b[sp] <= '9' && len <= b.length) {
          len = len * 10 + (b[sp] - '0');
          sp++;
        }
        if (sp >= b.length || b[sp] != ' ' || len <= sp - pos || pos + len > b.length) {
          break; // the reader refuses what does not parse; nothing more to take
        }
        int end = (int) (pos + len);
        int eq = sp + 1;
        while (eq < end && b[eq] != '=') {
          eq++;
        }
        if (eq < end && b[end - 1] == '\n' && end - 1 > eq + 1) {
          String key = new String(b, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
          if (key.startsWith("SCHILY.xattr.") || key.startsWith("LIBARCHIVE.xattr.")) {
            out.putIfAbsent(key, java.util.Arrays.copyOfRange(b, eq + 1, end - 1));
          }
        }
        pos = end;
      }
    }
    return out;
  }

  @Override
  protected byte[] readRecord() throws IOException {
    if (++records > maxRecordsPerEntry) {
      TarArchiveEntry cur = getCurrentEntry();
      if (cur != null && cur.isOldGNUSparse()) {
        throw ThinImageException.invalid(
            "layer-sparse-map-too-large",
            "sparse file "
                + LayerSession.quote(cur.getName())
                + " has more than "
                + limits.maxSparseMapEntries()
                + " extents");
      }
      throw ThinImageException.invalid(
          "layer-header-too-large", "more than " + maxRecordsPerEntry + " header records");
    }
    return super.readRecord();
  }

  /** A GNU long name or link: refused past the path limit before a byte of it is read. */
  @Override
  protected byte[] getLongNameData() throws IOException {
    TarArchiveEntry cur = getCurrentEntry();
    long size = cur.getSize();
    if (size > limits.maxLongNameRecordBytes()) {
      throw ThinImageException.invalid(
          "layer-path-too-long",
          "GNU long "
              + (cur.isGNULongLinkEntry() ? "link" : "name")
              + " record of "
              + size
              + " bytes, limit "
              + limits.maxPathBytes()
              + " bytes");
    }
    byte[] data = readNBytes((int) size);
    getNextEntry();
    if (getCurrentEntry() == null) {
      return null; // as the reader does: a long name with no entry after it ends the archive
    }
    int length = data.length;
    while (length > 0 && data[length - 1] == 0) {
      length--;
    }
    return length == data.length ? data : java.util.Arrays.copyOf(data, length);
  }

  /** The first read of a PAX header's data: refused past its cap before it is parsed. */
  @Override
  public int read(byte[] buf, int offset, int numToRead) throws IOException {
    TarArchiveEntry cur = getCurrentEntry();
    if (cur != null && cur != sized) {
      sized = cur;
      if (cur.isPaxHeader()) {
        paxRaw.add(new ByteArrayOutputStream());
      }
      if (cur.isPaxHeader() && cur.getSize() > limits.maxPaxHeaderBytes()) {
        throw ThinImageException.invalid(
            "layer-header-too-large",
            "PAX extended header of "
                + cur.getSize()
                + " bytes, limit "
                + limits.maxPaxHeaderBytes()
                + " bytes");
      }
      if (cur.isGlobalPaxHeader()) {
        globalPaxBytes += cur.getSize();
        if (cur.getSize() > limits.maxGlobalPaxBytes()
            || globalPaxBytes > limits.maxGlobalPaxBytes()) {
          throw ThinImageException.invalid(
              "layer-header-too-large",
              "PAX global headers of more than "
                  + limits.maxGlobalPaxBytes()
                  + " bytes in the layer");
        }
      }
    }
    int r = super.read(buf, offset, numToRead);
    if (r > 0 && cur != null && cur.isPaxHeader() && !paxRaw.isEmpty()) {
      paxRaw.get(paxRaw.size() - 1).write(buf, offset, r);
    }
    return r;
  }
}
