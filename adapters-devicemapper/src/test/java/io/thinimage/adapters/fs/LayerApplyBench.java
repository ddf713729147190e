package io.thinimage.adapters.fs;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.layer.ApplyReport;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Benchmark driver for {@code bench/layer-apply.sh} (not a test). Each round extracts the layer
 * with GNU {@code tar -x --numeric-owner -p} into a fresh directory and then applies it with {@link
 * LayerApplier} on {@link NioRootFilesystem} into another, alternating so that load from other
 * processes hits both alike; {@code sync} runs before each timed step, outside the timing. Prints
 * one line per round: {@code round N: gnu G ms, java J ms}.
 *
 * <p>Usage: {@code LayerApplyBench <layer.tar> <sha256 hex> <target-base-dir> <rounds>}. The
 * directories of the last round are kept ({@code gnu-last}, {@code java-last}) for comparison.
 */
public final class LayerApplyBench {
  private LayerApplyBench() {}

  public static void main(String[] args) throws Exception {
    Path layer = Path.of(args[0]);
    BlobDigest digest = BlobDigest.parse(args[1]);
    Path base = Path.of(args[2]);
    int rounds = Integer.parseInt(args[3]);
    LayerApplier applier = new LayerApplier(LayerLimits.defaults(), Clock.systemUTC());
    for (int i = 1; i <= rounds; i++) {
      boolean last = i == rounds;
      Path gnuDir = Files.createDirectories(base.resolve(last ? "gnu-last" : "gnu-" + i));
      Path javaDir = Files.createDirectories(base.resolve(last ? "java-last" : "java-" + i));
      run("sync");
      long g0 = System.nanoTime();
      run("tar", "-x", "--numeric-owner", "-p", "-f", layer.toString(), "-C", gnuDir.toString());
      long gnuMs = (System.nanoTime() - g0) / 1_000_000;
      run("sync");
      long j0 = System.nanoTime();
      ApplyReport r;
      try (InputStream in = Files.newInputStream(layer)) {
        r = applier.apply(in, digest, new NioRootFilesystem(javaDir));
      }
      long javaMs = (System.nanoTime() - j0) / 1_000_000;
      System.out.printf(
          "round %d: gnu %d ms, java %d ms (%d entries, %d bytes)%n",
          i, gnuMs, javaMs, r.entries(), r.bytes());
      if (!last) {
        run("rm", "-rf", gnuDir.toString(), javaDir.toString());
      }
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed");
    }
  }
}
