package io.thinimage.adapters.fs;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import io.thinimage.core.layer.LayerTar;
import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.testing.HostileTar;
import io.thinimage.core.testing.HostileTar.Part;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The inputs of the layer fuzzer and its property. An input is a small byte array (random bytes, or
 * a mutation of a valid layer) or, one time in five, an <em>expansion</em>: a mutated layer with a
 * header record spliced in whose content is produced lazily and can be far larger than the fuzzer's
 * heap (a 512 MiB GNU long name, a PAX header, a global header, thousands of chained extended
 * headers, an old-GNU sparse chain). Buffering any of those whole is an {@link Error} (out of
 * memory, stack overflow), which the property reports like any other finding.
 */
final class FuzzInputs {
  /** Bounded caps for small inputs: nothing legitimate in them needs more. */
  static final LayerLimits SMALL =
      LayerLimits.defaults().withMaxLayerBytes(4 << 20).withMaxFileBytes(1 << 20);

  /** Caps for expansions: default metadata caps, 1 GiB of stream, 1 MiB files. */
  static final LayerLimits EXPANSION =
      LayerLimits.defaults().withMaxLayerBytes(1L << 30).withMaxFileBytes(1 << 20);

  private static final List<byte[]> SEEDS = seeds();

  /** One fuzz input. */
  record Input(String kind, List<Part> parts, byte[] small) {
    InputStream open() {
      return small != null ? new ByteArrayInputStream(small) : HostileTar.stream(parts);
    }

    /** The real digest for small inputs; any digest for expansions (never read to the end). */
    BlobDigest digest() {
      return small != null ? LayerTar.digest(small) : LayerTar.digest(new byte[0]);
    }

    /**
     * Expansions run with the default metadata caps and a stream cap above their size: the point is
     * what the header caps let through. Files stay small, so nothing big is written.
     */
    LayerLimits limits() {
      return small != null ? SMALL : EXPANSION;
    }

    @Override
    public String toString() {
      return kind + (small != null ? " (" + small.length + " bytes)" : "");
    }
  }

  private FuzzInputs() {}

  static Input generate(Random r) {
    int pick = r.nextInt(10);
    if (pick == 0) {
      byte[] b = new byte[r.nextInt(4097)];
      r.nextBytes(b);
      return new Input("random", null, b);
    }
    byte[] seed = mutate(SEEDS.get(r.nextInt(SEEDS.size())), r);
    if (pick <= 2) {
      return expansion(seed, r);
    }
    return new Input("mutated", null, seed);
  }

  /**
   * Applies {@code in}: {@code "ok"}, the code of a typed INVALID_INPUT or UNSAFE refusal, or
   * {@code "UNEXPECTED ..."} for anything else — another error kind, a runtime exception, and any
   * {@link Error} (OutOfMemoryError, StackOverflowError), which is what a poison pill is made of.
   */
  static String outcome(Input in, RootFilesystem fs) {
    try {
      new LayerApplier(in.limits(), Clock.systemUTC()).apply(in.open(), in.digest(), fs);
      return "ok";
    } catch (ThinImageException e) {
      return e.kind() == ErrorKind.INVALID_INPUT || e.kind() == ErrorKind.UNSAFE
          ? e.code()
          : "UNEXPECTED " + e.kind() + " " + e.code() + ": " + e.getMessage();
    } catch (Throwable e) { // NOPMD: finding Errors is the point
      return "UNEXPECTED " + e;
    }
  }

  /** Splices a large, lazily produced header record in at a block boundary of {@code seed}. */
  private static Input expansion(byte[] seed, Random r) {
    int blocks = seed.length / HostileTar.BLOCK;
    int at = blocks == 0 ? 0 : r.nextInt(blocks + 1) * HostileTar.BLOCK;
    byte[] before = Arrays.copyOf(seed, at);
    byte[] after = Arrays.copyOfRange(seed, at, seed.length);
    long big = (64L << 20) + r.nextInt(448 << 20); // 64 to 512 MiB
    List<Part> mid = new ArrayList<>();
    String kind;
    switch (r.nextInt(6)) {
      case 0, 1 -> {
        char type = r.nextBoolean() ? 'L' : 'K';
        kind = "huge-" + type;
        mid.add(HostileTar.bytes(HostileTar.header("././@LongLink", type, big)));
        mid.add(HostileTar.run(big, 'a' + r.nextInt(26)));
        mid.add(HostileTar.padding(big));
      }
      case 2, 3 -> {
        boolean global = r.nextBoolean();
        kind = global ? "huge-g" : "huge-x";
        String lenText = Long.toString(big);
        String prefix = lenText + (r.nextBoolean() ? " path=" : " SCHILY.xattr.user.v=");
        mid.add(HostileTar.bytes(HostileTar.header("PaxHeaders/x", global ? 'g' : 'x', big)));
        mid.add(HostileTar.bytes(prefix.getBytes(StandardCharsets.US_ASCII)));
        mid.add(HostileTar.run(big - prefix.length() - 1, 'p'));
        mid.add(HostileTar.bytes(new byte[] {'\n'}));
        mid.add(HostileTar.padding(big));
      }
      case 4 -> {
        kind = "header-chain";
        byte[] x = HostileTar.bytesOf(HostileTar.pax(HostileTar.paxRecord("comment", "c")));
        mid.add(new HostileTar.Repeat(x, 1000 + r.nextInt(200_000)));
      }
      default -> {
        kind = "sparse-chain";
        mid.addAll(HostileTar.oldGnuSparseChain(1000 + r.nextInt(2_000_000)));
        mid.remove(mid.size() - 1); // its end marker: the rest of the seed follows
      }
    }
    List<Part> parts = new ArrayList<>();
    parts.add(HostileTar.bytes(before));
    parts.addAll(mid);
    parts.add(HostileTar.bytes(after));
    return new Input(kind, parts, null);
  }

  static byte[] mutate(byte[] seed, Random r) {
    byte[] b = seed.clone();
    int rounds = 1 + r.nextInt(4);
    for (int k = 0; k < rounds; k++) {
      switch (r.nextInt(7)) {
        case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        case 1 -> {
          // overwrite a header field area with random bytes or digits
          int at = r.nextInt(b.length);
          int n = Math.min(1 + r.nextInt(12), b.length - at);
          for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (r.nextBoolean() ? '0' + r.nextInt(8) : r.nextInt(256));
          }
        }
        case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
        case 3 -> {
          int at = r.nextInt(b.length + 1);
          byte[] junk = new byte[r.nextInt(1024)];
          r.nextBytes(junk);
          byte[] n = new byte[b.length + junk.length];
          System.arraycopy(b, 0, n, 0, at);
          System.arraycopy(junk, 0, n, at, junk.length);
          System.arraycopy(b, at, n, at + junk.length, b.length - at);
          b = n;
        }
        case 4 -> {
          // duplicate a 512-byte block elsewhere (headers repeated out of place)
          if (b.length >= 1024) {
            int from = r.nextInt(b.length / 512) * 512;
            int to = r.nextInt(b.length / 512) * 512;
            System.arraycopy(b, from, b, to, Math.min(512, b.length - Math.max(from, to)));
          }
        }
        case 5 -> {
          // a header record's type and size changed, checksum kept valid: an L/K/x/g/S record
          // claiming a huge size (octal or base-256) with little or no data behind it
          if (b.length >= 512) {
            int block = r.nextInt(b.length / 512) * 512;
            byte[] h = Arrays.copyOfRange(b, block, block + 512);
            h[156] = (byte) "LKxgS05".charAt(r.nextInt(7));
            long size = r.nextBoolean() ? r.nextInt(1 << 20) : (1L << (20 + r.nextInt(40)));
            HostileTar.size(h, 124, size);
            HostileTar.checksum(h);
            System.arraycopy(h, 0, b, block, 512);
          }
        }
        default -> {
          // corrupt a size/mode/checksum field of the first header but keep the checksum valid
          if (b.length >= 512) {
            int field = new int[] {100, 108, 116, 124, 136, 156}[r.nextInt(6)];
            b[field + r.nextInt(8)] = (byte) ('0' + r.nextInt(8));
            byte[] h = Arrays.copyOf(b, 512);
            HostileTar.checksum(h);
            System.arraycopy(h, 0, b, 0, 512);
          }
        }
      }
      if (b.length == 0) {
        break;
      }
    }
    return b.length == 0 ? seed.clone() : b;
  }

  private static List<byte[]> seeds() {
    LayerTar rich =
        LayerTar.layer()
            .dir("etc")
            .file("etc/passwd", "root:x:0:0")
            .symlink("etc/link", "/etc/passwd")
            .symlink("up", "../outside/etc")
            .hardlink("etc/hard", "etc/passwd")
            .fifo("fifo", 0600)
            .device("null", false, 1, 3, 0666)
            .whiteout("etc/.wh.gone")
            .whiteout("etc/.wh..wh..opq")
            .entry(
                "x".repeat(120) + "/" + "y".repeat(120),
                TarConstants.LF_NORMAL,
                s -> s.xattr("user.k", "v").pax("mtime", "1700000000.5"),
                "pax".getBytes(StandardCharsets.UTF_8));
    LayerTar simple = LayerTar.layer().file("a", "hello").dir("d").file("d/b", "world");
    return List.of(
        rich.bytes(),
        simple.bytes(),
        LayerTar.layer().file("a", "gz").symlink("s", "a").gzipped(),
        LayerTar.layer().bytes(),
        HostileTar.bytesOf(HostileTar.sparseFile("sp", 1 << 20, 0, 8192)),
        HostileTar.bytesOf(HostileTar.pax01SparseMap(20)),
        HostileTar.bytesOf(HostileTar.restrictiveModes()),
        HostileTar.bytesOf(HostileTar.longNameRecord(300, false)));
  }
}
