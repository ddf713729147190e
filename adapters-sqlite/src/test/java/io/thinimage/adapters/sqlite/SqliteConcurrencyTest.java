package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.port.RepositoryReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many writers and readers at once: no SQLITE_BUSY reaches a caller and nothing is lost. */
class SqliteConcurrencyTest {
  @TempDir Path dir;

  @Test
  void eightThreadsTimesAHundredTransitionsAllCommit() throws Exception {
    int threads = 8;
    int perThread = 100;
    try (SqliteImageRepository repo = SqliteImageRepository.open(dir.resolve("c.db"))) {
      for (int t = 0; t < threads; t++) {
        TransitionWorkload.createRun(repo, "run-" + t);
      }
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String runId = "run-" + t;
          writers.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                      try {
                        TransitionWorkload.commitNext(repo, runId);
                      } catch (RuntimeException e) {
                        errors.add(e);
                      }
                    }
                    return null;
                  }));
        }
        List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          readers.add(
              pool.submit(
                  () -> {
                    start.await();
                    while (writing.get()) {
                      try {
                        repo.read(RepositoryReader::counts);
                        repo.read(x -> x.listActivations("run-0"));
                      } catch (RuntimeException e) {
                        errors.add(e);
                      }
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> f : writers) {
          f.get(120, TimeUnit.SECONDS);
        }
        writing.set(false);
        for (Future<?> f : readers) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(errors).isEmpty();
      for (int t = 0; t < threads; t++) {
        assertThat(TransitionWorkload.verifyWhole(repo, "run-" + t)).isEqualTo(perThread);
      }
      assertThat(repo.read(r -> r.listActivations()).size()).isEqualTo(threads * perThread);
      assertThat(repo.read(RepositoryReader::counts).activeRuns()).isEqualTo(threads);
    }
  }

  @Test
  void twoStoresOnOneFileWaitForEachOtherInsteadOfFailing() throws Exception {
    // Two stores on one file behave like the CLI next to the daemon: two writer connections,
    // kept apart only by SQLite's lock and busy_timeout.
    Path db = dir.resolve("shared.db");
    int perThread = 50;
    try (SqliteImageRepository a = SqliteImageRepository.open(db);
        SqliteImageRepository b = SqliteImageRepository.open(db)) {
      TransitionWorkload.createRun(a, "run-a");
      TransitionWorkload.createRun(b, "run-b");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> fa =
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    TransitionWorkload.commitNext(a, "run-a");
                  }
                });
        Future<?> fb =
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    TransitionWorkload.commitNext(b, "run-b");
                  }
                });
        fa.get(120, TimeUnit.SECONDS);
        fb.get(120, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }

      assertThat(TransitionWorkload.verifyWhole(b, "run-a")).isEqualTo(perThread);
      assertThat(TransitionWorkload.verifyWhole(a, "run-b")).isEqualTo(perThread);
    }
  }
}
