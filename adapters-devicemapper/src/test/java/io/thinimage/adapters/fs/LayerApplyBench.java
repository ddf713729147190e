package io.thinimage.adapters.fs;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.layer.ApplyReport;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Benchmark driver for {@code bench/layer-apply.sh} (not a test): applies one layer tarball into
 * fresh directories {@code rounds} times in one JVM and prints the wall time of each apply.
 *
 * <p>Usage: {@code LayerApplyBench <layer.tar> <sha256 hex> <target-base-dir> <rounds>}.
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
      Path target = Files.createDirectories(base.resolve("java-" + i));
      long start = System.nanoTime();
      ApplyReport r;
      try (InputStream in = Files.newInputStream(layer)) {
        r = applier.apply(in, digest, new NioRootFilesystem(target));
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf(
          "round %d: %d ms (%d entries, %d bytes, devices skipped %d)%n",
          i, ms, r.entries(), r.bytes(), r.devicesSkipped());
    }
  }
}
