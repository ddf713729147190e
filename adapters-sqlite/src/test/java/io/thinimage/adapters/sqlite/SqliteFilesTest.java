package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.RepositoryReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** What lands in the files: the checkpoint on close, and backups taken under load. */
class SqliteFilesTest {
  @TempDir Path dir;

  @Test
  void afterCloseTheMainFileAloneHoldsEverything() throws Exception {
    Path db = dir.resolve("live").resolve("t.db");
    try (SqliteImageRepository repo = SqliteImageRepository.open(db)) {
      TransitionWorkload.createRun(repo, "run-1");
      for (int i = 0; i < 200; i++) {
        TransitionWorkload.commitNext(repo, "run-1");
      }
      assertThat(DatabaseFile.wal(db)).exists();
    }

    Path copy = dir.resolve("copy").resolve("t.db");
    Files.createDirectories(copy.getParent());
    Files.copy(db, copy); // the main file only: no -wal, no -shm

    try (SqliteImageRepository reopened = SqliteImageRepository.open(copy)) {
      assertThat(TransitionWorkload.verifyWhole(reopened, "run-1")).isEqualTo(200);
      assertThat(reopened.integrityCheck()).isEmpty();
    }
  }

  @Test
  void aBackupTakenWhileWritingIsConsistentAndSound() throws Exception {
    Path db = dir.resolve("t.db");
    Path target = dir.resolve("backups").resolve("t-backup.db");
    long atBackup;
    long total;
    try (SqliteImageRepository repo = SqliteImageRepository.open(db)) {
      TransitionWorkload.createRun(repo, "run-1");
      AtomicBoolean go = new AtomicBoolean(true);
      AtomicLong committed = new AtomicLong();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<?> writer =
            pool.submit(
                () -> {
                  while (go.get()) {
                    committed.set(TransitionWorkload.commitNext(repo, "run-1"));
                  }
                });
        while (committed.get() < 50) {
          Thread.sleep(5);
        }
        atBackup = committed.get();
        repo.backup(target);
        Thread.sleep(50); // let the writer run on after the snapshot
        go.set(false);
        writer.get(30, TimeUnit.SECONDS);
        total = committed.get();
      } finally {
        pool.shutdownNow();
      }
    }

    assertThat(target).isRegularFile();
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files).as("no temp file is left behind").containsExactly(target);
    }
    try (SqliteImageRepository backup = SqliteImageRepository.open(target)) {
      assertThat(backup.integrityCheck()).isEmpty();
      long inBackup = TransitionWorkload.verifyWhole(backup, "run-1");
      assertThat(inBackup).isBetween(atBackup, total);
      assertThat(backup.read(RepositoryReader::counts).activeRuns()).isEqualTo(1);
    }
  }

  @Test
  void aCorruptStoreIsNotBackedUp() throws Exception {
    Path db = dir.resolve("t.db");
    try (SqliteImageRepository repo = SqliteImageRepository.open(db)) {
      TransitionWorkload.createRun(repo, "run-1");
      for (int i = 0; i < 20; i++) {
        TransitionWorkload.commitNext(repo, "run-1");
      }
    }
    // Make an index disagree with its table: quick_check (at open) does not compare index
    // contents, integrity_check (before a backup) does.
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db)) {
      Jdbc.exec(c, "PRAGMA writable_schema = ON");
      Jdbc.update(
          c,
          "UPDATE sqlite_schema SET sql = replace(sql, '(state)', '(device_path)')"
              + " WHERE name = 'activations_by_state'");
    }
    Path target = dir.resolve("backup.db");

    try (SqliteImageRepository repo = SqliteImageRepository.open(db)) {
      assertThat(repo.integrityCheck()).isNotEmpty();
      assertThatThrownBy(() -> repo.backup(target))
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
                assertThat(e.code()).isEqualTo("store-corrupt");
              });
    }
    assertThat(target).doesNotExist();
  }
}
