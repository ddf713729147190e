package io.thinimage.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Raw tar layers built header by header, hostile ones included, as <em>lazy</em> streams: a header
 * can claim a 2 GiB long name and the stream produces its bytes only as they are read, so a test
 * never holds the layer in memory. {@link #gzip} compresses such a stream to a file or stream on
 * the fly (a 2 GiB run of one byte becomes about 2 MB).
 */
public final class HostileTar {
  /** Tar block size. */
  public static final int BLOCK = 512;

  private static final long MTIME = 1_700_000_000L;

  private HostileTar() {}

  /** A part of a lazy stream: fixed bytes, a run of one byte value, a repeated block. */
  public sealed interface Part permits Bytes, Run, Repeat {}

  /** Fixed bytes. */
  public record Bytes(byte[] bytes) implements Part {}

  /** {@code count} copies of {@code value}. */
  public record Run(long count, int value) implements Part {}

  public static Part bytes(byte[] b) {
    return new Bytes(b);
  }

  public static Part run(long count, int value) {
    return new Run(count, value);
  }

  /** The parts one after the other, produced as they are read. */
  public static InputStream stream(Part... parts) {
    return stream(List.of(parts));
  }

  /** The parts one after the other, produced as they are read. */
  public static InputStream stream(List<Part> parts) {
    return new LazyStream(parts);
  }

  /** All bytes of a (small) stream. */
  public static byte[] bytesOf(List<Part> parts) {
    try {
      return stream(parts).readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Gzips {@code tar} into {@code out} (best compression: runs shrink about a thousandfold). */
  public static void gzip(InputStream tar, OutputStream out) throws IOException {
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        }) {
      tar.transferTo(gz);
    }
  }

  // ---- headers ----

  /** A ustar header: mode 0644, uid/gid 0, a fixed mtime, checksum computed. */
  public static byte[] header(String name, char type, long size) {
    return header(name, type, size, h -> {});
  }

  /** A ustar header with {@code tweak} applied to the raw block before the checksum. */
  public static byte[] header(String name, char type, long size, Consumer<byte[]> tweak) {
    byte[] h = new byte[BLOCK];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(n, 0, h, 0, Math.min(n.length, 100));
    octal(h, 100, 8, type == '5' ? 0755 : 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    size(h, 124, size);
    octal(h, 136, 12, MTIME);
    h[156] = (byte) type;
    put(h, 257, "ustar\0");
    put(h, 263, "00");
    tweak.accept(h);
    checksum(h);
    return h;
  }

  /** Writes {@code value} as a NUL-terminated octal field of {@code len} bytes. */
  public static void octal(byte[] h, int off, int len, long value) {
    String s = Long.toOctalString(value);
    if (s.length() == len) {
      put(h, off, s); // all digits, no NUL, as GNU tar writes values that need them
      return;
    }
    if (s.length() > len) {
      throw new IllegalArgumentException(value + " does not fit " + len + " octal bytes");
    }
    String padded = "0".repeat(len - 1 - s.length()) + s;
    put(h, off, padded + "\0");
  }

  /** A size field: octal when it fits, GNU base-256 otherwise. */
  public static void size(byte[] h, int off, long size) {
    if (size < 077777777777L) {
      octal(h, off, 12, size);
    } else {
      Arrays.fill(h, off, off + 12, (byte) 0);
      h[off] = (byte) 0x80;
      for (int i = 0; i < 8; i++) {
        h[off + 11 - i] = (byte) (size >>> (8 * i));
      }
    }
  }

  public static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(b, 0, h, off, b.length);
  }

  /** Recomputes the header checksum. */
  public static void checksum(byte[] h) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += h[i] & 0xff;
    }
    put(h, 148, String.format("%06o\0 ", sum));
  }

  /** {@code data} padded with zeros to a whole number of blocks. */
  public static byte[] padded(byte[] data) {
    return Arrays.copyOf(data, (data.length + BLOCK - 1) / BLOCK * BLOCK);
  }

  /** Zeros from {@code size} up to the next block boundary. */
  public static Part padding(long size) {
    long rest = size % BLOCK;
    return run(rest == 0 ? 0 : BLOCK - rest, 0);
  }

  /** The end-of-archive marker (two zero blocks). */
  public static Part end() {
    return run(2 * BLOCK, 0);
  }

  /** A regular file entry with its content. */
  public static List<Part> file(String name, byte[] content) {
    return List.of(bytes(header(name, '0', content.length)), bytes(padded(content)));
  }

  /** A directory entry with {@code mode}. */
  public static Part dir(String name, int mode) {
    return bytes(header(name, '5', 0, h -> octal(h, 100, 8, mode)));
  }

  /** One PAX record {@code "<len> key=value\n"}. */
  public static byte[] paxRecord(String key, byte[] value) {
    byte[] k = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
    int body = k.length + value.length + 1;
    int len = body + 1;
    while (String.valueOf(len).length() + body != len) {
      len = String.valueOf(len).length() + body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(String.valueOf(len).getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(k);
    out.writeBytes(value);
    out.write('\n');
    return out.toByteArray();
  }

  public static byte[] paxRecord(String key, String value) {
    return paxRecord(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A PAX extended header ({@code x}) holding {@code records}. */
  public static List<Part> pax(byte[] records) {
    return List.of(bytes(header("PaxHeaders/x", 'x', records.length)), bytes(padded(records)));
  }

  // ---- hostile layers ----

  /**
   * A GNU long-name ({@code L}, or long-link {@code K} when {@code link}) record claiming {@code
   * size} bytes, all of them present ('a'), then a small file, then the end marker.
   */
  public static List<Part> longNameRecord(long size, boolean link) {
    List<Part> p = new ArrayList<>();
    p.add(bytes(header("././@LongLink", link ? 'K' : 'L', size)));
    p.add(run(size, 'a'));
    p.add(padding(size));
    p.addAll(link ? linkEntry() : file("short", new byte[] {'x'}));
    p.add(end());
    return p;
  }

  private static List<Part> linkEntry() {
    return List.of(bytes(header("h", '1', 0, h -> put(h, 157, "target"))));
  }

  /**
   * A PAX header ({@code x}, or global {@code g}) of {@code size} bytes holding one {@code path}
   * (or {@code comment}) record that fills it, then a small file.
   */
  public static List<Part> hugePax(long size, boolean global) {
    String key = global ? "comment" : "path";
    String prefix = " " + key + "=";
    long len = size;
    String lenText = Long.toString(len);
    long value = len - lenText.length() - prefix.length() - 1;
    List<Part> p = new ArrayList<>();
    p.add(bytes(header("PaxHeaders/x", global ? 'g' : 'x', size)));
    p.add(bytes((lenText + prefix).getBytes(StandardCharsets.US_ASCII)));
    p.add(run(value, 'p'));
    p.add(bytes(new byte[] {'\n'}));
    p.add(padding(size));
    p.addAll(file("after-pax", new byte[] {'x'}));
    p.add(end());
    return p;
  }

  /**
   * An old-GNU sparse file ({@code S}) whose header says an extension block follows, then {@code
   * blocks} extension blocks each saying another follows (the last one does not), no data.
   */
  public static List<Part> oldGnuSparseChain(long blocks) {
    byte[] h = oldGnuSparseHeader("chain", 0, 0, List.of(), true);
    byte[] ext = new byte[BLOCK];
    for (int i = 0; i < 21; i++) {
      octal(ext, i * 24, 12, 0);
      octal(ext, i * 24 + 12, 12, 0);
    }
    ext[504] = 1;
    byte[] last = ext.clone();
    last[504] = 0;
    List<Part> p = new ArrayList<>();
    p.add(bytes(h));
    p.add(new RepeatedBlock(ext, blocks - 1).asPart());
    p.add(bytes(last));
    p.add(end());
    return p;
  }

  /**
   * An old-GNU sparse header: {@code extents} (offset, length pairs, at most 4 inline), logical
   * size {@code realSize} (12 octal digits allowed, so up to 64 GiB), stored size {@code stored}.
   */
  public static byte[] oldGnuSparseHeader(
      String name, long realSize, long stored, List<long[]> extents, boolean extended) {
    return header(
        name,
        'S',
        stored,
        h -> {
          put(h, 257, "ustar  \0");
          for (int i = 0; i < extents.size(); i++) {
            octal(h, 386 + i * 24, 12, extents.get(i)[0]);
            octal(h, 386 + i * 24 + 12, 12, extents.get(i)[1]);
          }
          h[482] = (byte) (extended ? 1 : 0);
          octal(h, 483, 12, realSize);
        });
  }

  /**
   * An old-GNU sparse file of logical size {@code realSize} with a 4 KiB extent of 'd' at each of
   * {@code offsets} (at most 3) and the end marker extent GNU tar writes.
   */
  public static List<Part> sparseFile(String name, long realSize, long... offsets) {
    List<long[]> map = new ArrayList<>();
    for (long o : offsets) {
      map.add(new long[] {o, 4096});
    }
    map.add(new long[] {realSize, 0});
    long stored = 4096L * offsets.length;
    List<Part> p = new ArrayList<>();
    p.add(bytes(oldGnuSparseHeader(name, realSize, stored, map, false)));
    p.add(run(stored, 'd'));
    p.add(end());
    return p;
  }

  /**
   * A PAX 1.0 sparse file whose map (at the start of its data) announces {@code count} extents and
   * then lists {@code lines} lines of "0".
   */
  public static List<Part> pax1SparseMap(long count, long lines) {
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    rec.writeBytes(paxRecord("GNU.sparse.major", "1"));
    rec.writeBytes(paxRecord("GNU.sparse.minor", "0"));
    rec.writeBytes(paxRecord("GNU.sparse.name", "sparse"));
    rec.writeBytes(paxRecord("GNU.sparse.realsize", "4096"));
    byte[] head = (count + "\n").getBytes(StandardCharsets.US_ASCII);
    long size = head.length + 2 * lines;
    List<Part> p = new ArrayList<>(pax(rec.toByteArray()));
    p.add(bytes(header("GNUSparseFile.0/sparse", '0', size)));
    p.add(bytes(head));
    p.add(new RepeatedBlock("0\n".getBytes(StandardCharsets.US_ASCII), lines).asPart());
    p.add(padding(size));
    p.add(end());
    return p;
  }

  /** A PAX 0.1 sparse file whose {@code GNU.sparse.map} lists {@code entries} extents. */
  public static List<Part> pax01SparseMap(int entries) {
    StringBuilder map = new StringBuilder();
    for (int i = 0; i < entries; i++) {
      map.append(i == 0 ? "" : ",").append(2L * i).append(",1");
    }
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    rec.writeBytes(paxRecord("GNU.sparse.major", "0"));
    rec.writeBytes(paxRecord("GNU.sparse.minor", "1"));
    rec.writeBytes(paxRecord("GNU.sparse.name", "sparse"));
    rec.writeBytes(paxRecord("GNU.sparse.size", Long.toString(2L * entries)));
    rec.writeBytes(paxRecord("GNU.sparse.map", map.toString()));
    List<Part> p = new ArrayList<>(pax(rec.toByteArray()));
    p.add(bytes(header("GNUSparseFile.0/sparse", '0', entries)));
    p.add(run(entries, 'd'));
    p.add(padding(entries));
    p.add(end());
    return p;
  }

  /** A file carrying xattr {@code name} with a value of {@code size} bytes of 'v'. */
  public static List<Part> xattr(String name, int size) {
    byte[] value = new byte[size];
    Arrays.fill(value, (byte) 'v');
    List<Part> p = new ArrayList<>(pax(paxRecord("SCHILY.xattr." + name, value)));
    p.addAll(file("with-xattr", new byte[] {'x'}));
    p.add(end());
    return p;
  }

  /**
   * {@code branches} chains of directories {@code depth} deep (names of 14 bytes, so a full path is
   * under 4096 bytes), then {@code files} files spread over the deepest directories; every entry
   * beyond 100 bytes of name carries a PAX path.
   */
  public static List<Part> deepTree(int branches, int depth, int files) {
    List<Part> p = new ArrayList<>();
    List<String> deepest = new ArrayList<>();
    for (int b = 0; b < branches; b++) {
      StringBuilder path = new StringBuilder();
      for (int d = 0; d < depth; d++) {
        path.append(d == 0 ? String.format("b%013d", b) : "dddddddddddddd").append('/');
        p.addAll(named(path.toString(), '5', 0755));
      }
      deepest.add(path.toString());
    }
    for (int f = 0; f < files; f++) {
      p.addAll(named(deepest.get(f % deepest.size()) + "f" + f, '0', 0644));
    }
    p.add(end());
    return p;
  }

  /** {@code files} files each {@code depth} names deep in its own branch, no directory entries. */
  public static List<Part> impliedParents(int files, int depth) {
    List<Part> p = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      StringBuilder path = new StringBuilder(String.format("i%013d/", f));
      for (int d = 1; d < depth - 1; d++) {
        path.append("dddddddddddddd/");
      }
      p.addAll(named(path + "f", '0', 0644));
    }
    p.add(end());
    return p;
  }

  /** {@code files} empty files in one directory. */
  public static List<Part> flatTree(int files) {
    List<Part> p = new ArrayList<>();
    p.add(dir("flat/", 0755));
    for (int f = 0; f < files; f++) {
      p.add(bytes(header("flat/f" + f, '0', 0)));
    }
    p.add(end());
    return p;
  }

  /**
   * Modes as real distributions ship them: a 0555 directory with children (one of them a 0000 file,
   * one a 0000 directory), a {@code /var/empty}-style 0555 empty directory, a 0000 file at the top,
   * a hardlink to a 0000 file, a whiteout and a replaced file below the 0555 directory.
   */
  public static List<Part> restrictiveModes() {
    List<Part> p = new ArrayList<>();
    p.add(dir("ro/", 0555));
    p.add(dir("ro/sub/", 0555));
    p.addAll(named("ro/sub/secret", '0', 0000));
    p.addAll(named("ro/gone", '0', 0444));
    p.add(bytes(header("ro/.wh.gone", '0', 0)));
    p.addAll(named("ro/replaced", '0', 0400));
    p.addAll(named("ro/replaced", '0', 0000));
    p.add(dir("ro/locked/", 0000));
    p.add(bytes(header("ro/link", '1', 0, h -> put(h, 157, "ro/sub/secret"))));
    p.add(dir("var/", 0755));
    p.add(dir("var/empty/", 0555));
    p.addAll(named("shadow", '0', 0000));
    p.add(end());
    return p;
  }

  /** An entry with a PAX path when the name does not fit the 100-byte field; one byte of data. */
  private static List<Part> named(String name, char type, int mode) {
    List<Part> p = new ArrayList<>();
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    String shortName = name;
    if (n.length > 100) {
      p.addAll(pax(paxRecord("path", name)));
      shortName = "long-" + Integer.toHexString(name.hashCode());
    }
    byte[] body = type == '0' ? new byte[] {'x'} : new byte[0];
    p.add(bytes(header(shortName, type, body.length, h -> octal(h, 100, 8, mode))));
    if (body.length > 0) {
      p.add(bytes(padded(body)));
    }
    return p;
  }

  /** {@code count} copies of a small block, produced lazily. */
  private record RepeatedBlock(byte[] block, long count) {
    Part asPart() {
      return new Repeat(block, count);
    }
  }

  /** {@code count} copies of {@code block}. */
  public record Repeat(byte[] block, long count) implements Part {}

  private static final class LazyStream extends InputStream {
    private final List<Part> parts;
    private int index;
    private long pos;

    LazyStream(List<Part> parts) {
      this.parts = parts;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      int r = read(one, 0, 1);
      return r < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      while (index < parts.size()) {
        Part part = parts.get(index);
        long size = sizeOf(part);
        if (pos >= size) {
          index++;
          pos = 0;
          continue;
        }
        int n = (int) Math.min(len, size - pos);
        if (part instanceof Bytes x) {
          System.arraycopy(x.bytes(), (int) pos, b, off, n);
        } else if (part instanceof Run x) {
          Arrays.fill(b, off, off + n, (byte) x.value());
        } else {
          Repeat x = (Repeat) part;
          for (int i = 0; i < n; i++) {
            b[off + i] = x.block()[(int) ((pos + i) % x.block().length)];
          }
        }
        pos += n;
        return n;
      }
      return -1;
    }

    private static long sizeOf(Part p) {
      if (p instanceof Bytes x) {
        return x.bytes().length;
      }
      if (p instanceof Run x) {
        return x.count();
      }
      Repeat x = (Repeat) p;
      return x.block().length * x.count();
    }
  }
}
