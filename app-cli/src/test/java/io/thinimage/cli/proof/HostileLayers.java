package io.thinimage.cli.proof;

import io.thinimage.core.testing.TarLayers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A corpus of malicious or malformed layers, by name. {@code sentinel} is the absolute path of a
 * directory outside the data dir that no layer may touch; {@code up} is the relative climb from a
 * volume's root to the directory that holds the sentinel.
 */
final class HostileLayers {
  private HostileLayers() {}

  /**
   * Layers the product accepts by design and must keep inside the volume: gzip is a supported layer
   * compression; symlinks (absolute or climbing) are resolved inside the volume's root, as a
   * container runtime would, so a write or whiteout through one lands inside the volume; device
   * nodes are created when the process is privileged (skipped otherwise). A header with a wrong
   * checksum is refused (finding H1 in docs/RELIABILITY.md, fixed).
   */
  static final java.util.Set<String> ACCEPTED_CONTAINED =
      java.util.Set.of(
          "gzip-compressed",
          "symlink-relative-escape-write-through",
          "symlink-dotdot-write-through",
          "symlink-chain-escape",
          "pax-linkpath-escape-write-through",
          "whiteout-through-escaping-symlink",
          "opaque-through-escaping-symlink",
          "char-device",
          "block-device");

  static Map<String, byte[]> corpus(String sentinel, String up) {
    String victim = sentinel + "/victim.txt";
    String relVictim = up + "sentinel/victim.txt";
    Map<String, byte[]> c = new LinkedHashMap<>();
    byte[] good = TarLayers.layer().dir("etc").file("etc/ok.txt", "fine\n").build();

    // Not a tar, or a broken one.
    c.put("text-not-a-tar", "hello, I am not a tar archive\n".repeat(40).getBytes(UTF8));
    c.put("random-bytes", random(10_000));
    c.put("truncated-in-body", Arrays.copyOf(bigFile(), 1024 + 300));
    c.put("truncated-in-header", Arrays.copyOf(good, 300));
    c.put("gzip-compressed", gzip(good));
    c.put("bzip2-magic", concat("BZh91AY&SY".getBytes(UTF8), random(600)));
    c.put("zstd-magic", concat(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, random(600)));
    c.put("xz-magic", concat(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, random(600)));
    c.put("bad-header-checksum", badChecksum(good));
    c.put("huge-size-header", hugeSize());
    c.put("size-field-garbage", patchHeader(good, 124, "zzzzzzzzzzz\0"));
    c.put(
        "negative-size-base256",
        patchHeader(
            good, 124, new byte[] {(byte) 0xff, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}));

    // Paths that climb out of the volume.
    c.put("dotdot-file", TarLayers.layer().file("../escape.txt", "x").build());
    c.put("dotdot-to-sentinel", TarLayers.layer().file(relVictim, "pwned").build());
    c.put("dotdot-inside-path", TarLayers.layer().dir("a").file("a/../../escape.txt", "x").build());
    c.put("dotdot-dir", TarLayers.layer().dir("../escape-dir").build());
    c.put("pax-path-dotdot", pax("path", relVictim, "innocent.txt", TarConstants.LF_NORMAL, null));
    c.put("gnu-longname-dotdot", gnuLong("a/".repeat(60) + "../".repeat(61) + relVictim));
    c.put("pax-path-nul", pax("path", "a\0/../../x", "innocent.txt", TarConstants.LF_NORMAL, null));
    c.put("path-too-deep", TarLayers.layer().file("d/".repeat(600) + "f", "x").build());
    c.put(
        "path-too-long",
        TarLayers.layer()
            .file("p".repeat(200) + "/" + "q".repeat(200) + "/" + "r".repeat(5000), "x")
            .build());
    c.put("name-component-too-long", TarLayers.layer().file("n".repeat(300), "x").build());
    c.put("root-becomes-file", raw(".", TarConstants.LF_NORMAL, "x".getBytes(UTF8), null));

    // Symlinks used to write through to the outside.
    c.put(
        "symlink-relative-escape-write-through",
        TarLayers.layer()
            .symlink("evil", up + "sentinel")
            .file("evil/victim.txt", "pwned")
            .build());
    c.put(
        "symlink-dotdot-write-through",
        TarLayers.layer()
            .symlink("evil", "../../../../../../../../..")
            .file("evil" + sentinel + "/victim.txt", "pwned")
            .build());
    c.put(
        "symlink-loop-write-through",
        TarLayers.layer().symlink("a", "b").symlink("b", "a").file("a/x", "x").build());
    c.put(
        "symlink-self-write-through", TarLayers.layer().symlink("s", "s").file("s/x", "x").build());
    c.put(
        "symlink-chain-escape",
        TarLayers.layer()
            .dir("d")
            .symlink("d/l1", "../l2")
            .symlink("l2", "../" + up + "sentinel")
            .file("d/l1/victim.txt", "pwned")
            .build());
    c.put(
        "pax-linkpath-escape-write-through",
        concat(
            stripEnd(pax("linkpath", up + "sentinel", "evil", TarConstants.LF_SYMLINK, "x")),
            TarLayers.layer().file("evil/victim.txt", "pwned").build()));

    // Hardlinks to the outside or to nothing.
    c.put("hardlink-dotdot-target", TarLayers.layer().hardlink("h", relVictim).build());
    c.put("hardlink-absolute-outside", TarLayers.layer().hardlink("h", victim).build());
    c.put("hardlink-missing-target", TarLayers.layer().hardlink("h", "does/not/exist").build());
    c.put("hardlink-to-directory", TarLayers.layer().dir("d").hardlink("h", "d").build());
    c.put(
        "hardlink-through-escaping-symlink",
        TarLayers.layer()
            .symlink("evil", up + "sentinel")
            .hardlink("h", "evil/victim.txt")
            .build());

    // Whiteouts that name something outside, or nothing.
    c.put("whiteout-dotdot", TarLayers.layer().file("../.wh.victim.txt", "").build());
    c.put(
        "whiteout-climb-to-sentinel",
        TarLayers.layer().file(up + "sentinel/.wh.victim.txt", "").build());
    c.put("whiteout-empty-name", TarLayers.layer().file("a/.wh.", "").build());
    c.put("whiteout-dotdot-name", TarLayers.layer().file(".wh..", "").build());
    c.put(
        "whiteout-through-escaping-symlink",
        TarLayers.layer().symlink("evil", up + "sentinel").file("evil/.wh.victim.txt", "").build());
    c.put(
        "opaque-through-escaping-symlink",
        TarLayers.layer().symlink("evil", up + "sentinel").file("evil/.wh..wh..opq", "").build());

    // Entry types a layer may not carry.
    c.put("char-device", device(TarConstants.LF_CHR, 1, 3));
    c.put("block-device", device(TarConstants.LF_BLK, 8, 0));
    c.put("unknown-type-Z", raw("z.bin", (byte) 'Z', "x".getBytes(UTF8), null));
    c.put("file-under-file", TarLayers.layer().file("f", "x").file("f/child", "y").build());
    c.put("pax-uid-garbage", pax("uid", "not-a-number", "f.txt", TarConstants.LF_NORMAL, null));
    c.put("pax-record-bad-length", paxRaw("999 path=x\n", "f.txt"));
    c.put("pax-size-garbage", pax("size", "lots", "f.txt", TarConstants.LF_NORMAL, null));
    c.put("pax-size-negative", pax("size", "-5", "f.txt", TarConstants.LF_NORMAL, null));

    // More names that climb out.
    c.put("symlink-named-dotdot", TarLayers.layer().symlink("../link", "etc").build());
    c.put(
        "hardlink-named-dotdot",
        TarLayers.layer().file("ok.txt", "x").hardlink("../h", "ok.txt").build());
    c.put(
        "dotdot-deep-inside",
        TarLayers.layer().dir("a").dir("a/b").file("a/b/../../../x", "x").build());
    c.put("whiteout-nested-dotdot", TarLayers.layer().dir("a").file("a/../../.wh.x", "").build());
    c.put(
        "gnu-longlink-hardlink-escape",
        gnuLongLink("h", "x/".repeat(60) + "../".repeat(61) + relVictim));
    return c;
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static byte[] bigFile() {
    return TarLayers.layer().file("big.bin", "y".repeat(4000)).build();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Drops the two zero end-of-archive blocks (and padding) so another archive can follow. */
  private static byte[] stripEnd(byte[] tar) {
    int end = tar.length;
    while (end >= 512 && isZero(tar, end - 512)) {
      end -= 512;
    }
    return Arrays.copyOf(tar, end);
  }

  private static boolean isZero(byte[] b, int off) {
    for (int i = off; i < off + 512; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] gzip(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] badChecksum(byte[] tar) {
    byte[] b = tar.clone();
    b[148] = '7';
    b[149] = '7';
    return b;
  }

  private static byte[] patchHeader(byte[] tar, int off, String field) {
    return patchHeader(tar, off, field.getBytes(StandardCharsets.US_ASCII));
  }

  /** Overwrites a field of the first header and recomputes the checksum, so only the field lies. */
  private static byte[] patchHeader(byte[] tar, int off, byte[] field) {
    byte[] b = tar.clone();
    System.arraycopy(field, 0, b, off, field.length);
    Arrays.fill(b, 148, 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += b[i] & 0xff;
    }
    byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, b, 148, 8);
    return b;
  }

  /** A header that announces a 64 GiB file followed by a few bytes. */
  private static byte[] hugeSize() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
      TarArchiveEntry e = new TarArchiveEntry("huge.bin");
      e.setSize(64L << 30);
      t.putArchiveEntry(e);
      t.write(new byte[4096]);
      t.flush();
      byte[] partial = bytes.toByteArray();
      return partial;
    } catch (IOException e) {
      // closing an unfinished entry complains; the bytes written so far are the layer
      return bytes.toByteArray();
    }
  }

  private static byte[] raw(String name, byte type, byte[] body, String link) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      if (link != null) {
        e.setLinkName(link);
      }
      e.setSize(body == null ? 0 : body.length);
      t.putArchiveEntry(e);
      if (body != null) {
        t.write(body);
      }
      t.closeArchiveEntry();
      t.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] device(byte type, int major, int minor) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry e = new TarArchiveEntry("dev/node", type);
      e.setDevMajor(major);
      e.setDevMinor(minor);
      t.putArchiveEntry(e);
      t.closeArchiveEntry();
      t.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A GNU long-name ('L') entry carrying {@code name}, then a small file. */
  private static byte[] gnuLong(String name) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      byte[] body = "pwned".getBytes(UTF8);
      e.setSize(body.length);
      t.putArchiveEntry(e);
      t.write(body);
      t.closeArchiveEntry();
      t.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A hardlink whose target is carried in a GNU long-link ('K') entry. */
  private static byte[] gnuLongLink(String name, String target) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
      e.setLinkName(target);
      t.putArchiveEntry(e);
      t.closeArchiveEntry();
      t.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A PAX extended header with one record, then an entry whose ustar fields look harmless. */
  private static byte[] pax(String key, String value, String name, byte type, String link) {
    String rec = key + "=" + value + "\n";
    int len = rec.length() + 3;
    while (String.valueOf(len).length() + 1 + rec.length() != len) {
      len = String.valueOf(len).length() + 1 + rec.length();
    }
    return paxRaw(len + " " + rec, name, type, link);
  }

  private static byte[] paxRaw(String records, String name) {
    return paxRaw(records, name, TarConstants.LF_NORMAL, null);
  }

  private static byte[] paxRaw(String records, String name, byte type, String link) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      byte[] p = records.getBytes(UTF8);
      TarArchiveEntry h =
          new TarArchiveEntry("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
      h.setSize(p.length);
      t.putArchiveEntry(h);
      t.write(p);
      t.closeArchiveEntry();
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      byte[] body = type == TarConstants.LF_NORMAL ? "pwned".getBytes(UTF8) : new byte[0];
      if (link != null) {
        e.setLinkName(link);
      }
      e.setSize(body.length);
      t.putArchiveEntry(e);
      t.write(body);
      t.closeArchiveEntry();
      t.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
