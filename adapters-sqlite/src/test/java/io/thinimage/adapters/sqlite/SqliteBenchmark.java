package io.thinimage.adapters.sqlite;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.port.RepositoryReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A manual benchmark (not a test; nothing here asserts a time): step commits per second with {@code
 * synchronous=FULL} against NORMAL, and {@code listImages} over 10,000 images. Run it with the test
 * class path; results go to docs/benchmarks/sqlite.md.
 *
 * <pre>java -cp ... io.thinimage.adapters.sqlite.SqliteBenchmark [work dir] [steps per round]</pre>
 *
 * <p>The work dir must be on the disk the product would use (not tmpfs, where fsync is free).
 */
public final class SqliteBenchmark {
  private static final int ROUNDS = 5;
  private static final int IMAGES = 10_000;

  private SqliteBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "target/sqlite-benchmark").toAbsolutePath();
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Files.createDirectories(work);
    System.out.printf(
        "java %s, %d cpus, work dir %s%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), work);

    // Rounds alternate FULL and NORMAL so background load hits both alike.
    List<Double> full = new ArrayList<>();
    List<Double> normal = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      full.add(stepsPerSecond(work, SqliteOptions.Synchronous.FULL, steps, round));
      normal.add(stepsPerSecond(work, SqliteOptions.Synchronous.NORMAL, steps, round));
    }
    double f = median(full);
    double n = median(normal);
    System.out.printf("commits/s FULL   rounds %s median %.0f%n", show(full), f);
    System.out.printf("commits/s NORMAL rounds %s median %.0f%n", show(normal), n);
    System.out.printf("NORMAL/FULL ratio %.2f%n", n / f);

    listImages(work);
  }

  private static double stepsPerSecond(
      Path work, SqliteOptions.Synchronous sync, int steps, int round) throws IOException {
    Path db = work.resolve("steps-" + sync + "-" + round + ".db");
    deleteStore(db);
    SqliteOptions options =
        SqliteOptions.defaults().withSynchronous(sync).withCheckpointInterval(Duration.ZERO);
    try (SqliteImageRepository repo = SqliteImageRepository.open(db, options)) {
      TransitionWorkload.createRun(repo, "run-bench");
      for (int i = 0; i < 100; i++) {
        TransitionWorkload.commitNext(repo, "run-bench"); // warm-up
      }
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        TransitionWorkload.commitNext(repo, "run-bench");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return steps / seconds;
    } finally {
      deleteStore(db);
    }
  }

  private static void listImages(Path work) throws IOException {
    Path db = work.resolve("images.db");
    deleteStore(db);
    try (SqliteImageRepository repo =
        SqliteImageRepository.open(
            db, SqliteOptions.defaults().withCheckpointInterval(Duration.ZERO))) {
      Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      for (int batch = 0; batch < IMAGES / 1000; batch++) {
        int first = batch * 1000;
        repo.inTransaction(
            tx -> {
              for (int i = first; i < first + 1000; i++) {
                tx.putImage(image(i, t0));
              }
              return null;
            });
      }
      for (int i = 0; i < 3; i++) {
        repo.read(RepositoryReader::listImages); // warm-up
      }
      double[] ms = new double[10];
      int listed = 0;
      for (int i = 0; i < ms.length; i++) {
        long start = System.nanoTime();
        listed = repo.read(RepositoryReader::listImages).size();
        ms[i] = (System.nanoTime() - start) / 1e6;
      }
      double[] countsMs = new double[10];
      for (int i = 0; i < countsMs.length; i++) {
        long start = System.nanoTime();
        repo.read(RepositoryReader::counts);
        countsMs[i] = (System.nanoTime() - start) / 1e6;
      }
      Arrays.sort(ms);
      Arrays.sort(countsMs);
      System.out.printf(
          "listImages over %d images (3 layers each): median %.1f ms, min %.1f, max %.1f%n",
          listed, ms[ms.length / 2], ms[0], ms[ms.length - 1]);
      System.out.printf(
          "counts() over the same store: median %.2f ms%n", countsMs[countsMs.length / 2]);
      System.out.printf("database size %d bytes%n", Files.size(db));
    } finally {
      deleteStore(db);
    }
  }

  private static Image image(int i, Instant t0) {
    String family = "images/family-" + i + "/";
    List<ImageLayer> layers = new ArrayList<>();
    ChainId chain = null;
    for (int p = 1; p <= 3; p++) {
      BlobDigest d = BlobDigest.sha256("layer-" + i + "-" + p);
      chain = chain == null ? ChainId.ofBase(d) : chain.then(d);
      layers.add(
          new ImageLayer(p, new RemoteObject(family + p + ".tar", 1L << 20, "\"etag\""), d, chain));
    }
    Instant at = t0.plusSeconds(i);
    return new Image(
        Image.idFor("s3://bench", new ImageReference(family)),
        "s3://bench",
        new ImageReference(family),
        layers,
        chain,
        ImageState.READY,
        null,
        null,
        at,
        at);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    return sorted.get(sorted.size() / 2);
  }

  private static String show(List<Double> values) {
    StringBuilder s = new StringBuilder("[");
    for (double v : values) {
      s.append(s.length() > 1 ? ", " : "").append(Math.round(v));
    }
    return s.append(']').toString();
  }

  private static void deleteStore(Path db) throws IOException {
    Files.deleteIfExists(db);
    Files.deleteIfExists(DatabaseFile.wal(db));
    Files.deleteIfExists(DatabaseFile.shm(db));
  }
}
