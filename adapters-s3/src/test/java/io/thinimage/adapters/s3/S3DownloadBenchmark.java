package io.thinimage.adapters.s3;

import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Not a test: GET of a 200 MiB object to disk through {@link S3ObjectStore} versus {@code curl}
 * from the same embedded S3 server in the same run, alternating, plus the peak heap used during the
 * adapter's transfers. Figures go to docs/benchmarks/s3.md. Run with the test classpath (see that
 * file); the first argument overrides the number of rounds (default 5).
 */
public final class S3DownloadBenchmark {
  private static final long MIB = 1 << 20;
  private static final long SIZE = 200 * MIB;

  private S3DownloadBenchmark() {}

  public static void main(String[] args) {
    try {
      run(args);
      System.exit(0);
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.exit(1); // the embedded server's threads would keep the JVM alive
    }
  }

  private static void run(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    LocalS3Server server = LocalS3Server.get();
    String bucket = server.newBucket("bench");
    Path work = Files.createTempDirectory(Path.of("target"), "bench-");
    Path source = work.resolve("source.bin");
    writeRandom(source, SIZE);
    server
        .admin()
        .putObject(b -> b.bucket(bucket).key("images/bench/1.tar"), RequestBody.fromFile(source));
    Files.delete(source);

    // Both clients talk to the anonymous endpoint of the same server: unsigned, like curl.
    S3Options options =
        S3ObjectStoreContractTest.testOptions(bucket, "", server.anonymousEndpoint())
            .withAnonymous(true);
    String url = server.anonymousEndpoint() + "/" + bucket + "/images/bench/1.tar";
    List<Double> adapterSeconds = new ArrayList<>();
    List<Double> curlSeconds = new ArrayList<>();
    long peakHeapDelta = 0;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (S3ObjectStore store = S3ObjectStore.create(options)) {
      RemoteObject object = store.resolve(new ImageReference("images/bench/1.tar")).get(0);
      // warm-up of both paths (JIT, page cache of the server's file)
      adapter(store, object, work.resolve("warm"));
      curl(url, work.resolve("warm-curl"));
      for (int i = 0; i < rounds; i++) {
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler =
            new Thread(
                () -> {
                  while (sampling.get()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                      Thread.sleep(5);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
        sampler.start();
        adapterSeconds.add(adapter(store, object, work.resolve("a" + i)));
        sampling.set(false);
        sampler.join();
        peakHeapDelta = Math.max(peakHeapDelta, peak.get() - baseline);
        curlSeconds.add(curl(url, work.resolve("c" + i)));
      }
    }
    double adapter = median(adapterSeconds);
    double curl = median(curlSeconds);
    System.out.printf(
        Locale.ROOT,
        "object: %d MiB; rounds: %d%nadapter: median %.2f s = %.0f MiB/s (all: %s)%n"
            + "curl:    median %.2f s = %.0f MiB/s (all: %s)%nratio adapter/curl throughput: %.2f%n"
            + "peak heap above baseline during adapter transfers: %.1f MiB (max heap %d MiB)%n",
        SIZE / MIB,
        rounds,
        adapter,
        SIZE / MIB / adapter,
        format(adapterSeconds),
        curl,
        SIZE / MIB / curl,
        format(curlSeconds),
        curl / adapter,
        peakHeapDelta / (double) MIB,
        Runtime.getRuntime().maxMemory() / MIB);
    try (var files = Files.list(work)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(work);
  }

  private static double adapter(ObjectStore store, RemoteObject object, Path target) {
    long start = System.nanoTime();
    ObjectStore.Download d = store.download(object, target, SIZE, p -> {});
    double seconds = (System.nanoTime() - start) / 1e9;
    if (d.size() != SIZE) {
      throw new IllegalStateException("short download " + d);
    }
    deleteQuietly(target);
    return seconds;
  }

  private static double curl(String url, Path target) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder("curl", "-sS", "--fail", "-o", target.toString(), url)
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("curl failed");
    }
    // The adapter fsyncs; make curl's file durable too so both measure the same work.
    new ProcessBuilder("sync", target.toString()).inheritIO().start().waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (Files.size(target) != SIZE) {
      throw new IllegalStateException("short curl download");
    }
    deleteQuietly(target);
    return seconds;
  }

  private static void writeRandom(Path file, long size) throws IOException {
    Random random = new Random(1);
    byte[] buf = new byte[(int) MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += buf.length) {
        random.nextBytes(buf);
        out.write(buf);
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // best effort
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static String format(List<Double> values) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(String.format(Locale.ROOT, "%.2f ", v));
    }
    return b.toString().trim();
  }
}
