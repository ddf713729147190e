package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import io.thinimage.core.layer.LayerTar;
import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Fuzz target for layer application, outside {@code mvn verify}: run with {@code mvn -Pfuzz -pl
 * adapters-devicemapper test} (tries: {@code -Dfuzz.tries=N}). Inputs are random bytes and
 * mutations (bit flips, overwrites, truncation, splices, duplicated blocks) of valid layers, plain
 * and gzip. Every input must either apply or fail with a typed INVALID_INPUT error, on the real
 * filesystem and in memory, and the sentinel next to the real root must never change.
 */
class LayerApplierFuzz {
  private static final LayerLimits LIMITS =
      LayerLimits.defaults().withMaxLayerBytes(4 << 20).withMaxFileBytes(1 << 20);

  private static final List<byte[]> SEEDS = seeds();

  @Property
  void anyBytesApplyOrFailTyped(@ForAll("inputs") byte[] input) throws IOException {
    Path tmp = Files.createTempDirectory("layer-fuzz");
    try {
      Path root = Files.createDirectory(tmp.resolve("root"));
      Files.createDirectories(tmp.resolve("outside/etc"));
      Files.writeString(tmp.resolve("outside/etc/passwd"), "sentinel", StandardCharsets.UTF_8);
      Map<String, String> before = NioTrees.snapshot(tmp.resolve("outside"));
      String nio = outcome(input, new NioRootFilesystem(root));
      String mem = outcome(input, new InMemoryRootFilesystem());
      Statistics.collect(nio);
      assertThat(nio).doesNotStartWith("UNEXPECTED");
      assertThat(mem).doesNotStartWith("UNEXPECTED");
      assertThat(NioTrees.snapshot(tmp.resolve("outside"))).isEqualTo(before);
    } finally {
      LayerSeamEquivalenceTest.deleteTree(tmp);
    }
  }

  private static String outcome(byte[] input, RootFilesystem fs) {
    try {
      new LayerApplier(LIMITS, Clock.systemUTC())
          .apply(new ByteArrayInputStream(input), LayerTar.digest(input), fs);
      return "ok";
    } catch (ThinImageException e) {
      return e.kind() == ErrorKind.INVALID_INPUT
          ? e.code()
          : "UNEXPECTED " + e.kind() + " " + e.code() + ": " + e.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      return "UNEXPECTED " + e;
    }
  }

  @Provide
  Arbitrary<byte[]> inputs() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
    Arbitrary<byte[]> mutated =
        Arbitraries.integers()
            .between(0, SEEDS.size() - 1)
            .flatMap(i -> Arbitraries.longs().map(seed -> mutate(SEEDS.get(i), new Random(seed))));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(9, mutated));
  }

  private static byte[] mutate(byte[] seed, Random r) {
    byte[] b = seed.clone();
    int rounds = 1 + r.nextInt(4);
    for (int k = 0; k < rounds; k++) {
      switch (r.nextInt(6)) {
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
        default -> {
          // corrupt a size/mode/checksum field of the first header but keep the checksum valid
          if (b.length >= 512) {
            int field = new int[] {100, 108, 116, 124, 136, 156}[r.nextInt(6)];
            b[field + r.nextInt(8)] = (byte) ('0' + r.nextInt(8));
            fixChecksum(b);
          }
        }
      }
      if (b.length == 0) {
        break;
      }
    }
    return b;
  }

  private static void fixChecksum(byte[] b) {
    Arrays.fill(b, 148, 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += b[i] & 0xff;
    }
    byte[] oct = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(oct, 0, b, 148, 8);
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
        LayerTar.layer().bytes());
  }
}
