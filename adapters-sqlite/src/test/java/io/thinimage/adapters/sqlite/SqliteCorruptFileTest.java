package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.RepositoryReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** A file that is not a sound database is refused with a clear error and left byte for byte. */
class SqliteCorruptFileTest {
  @TempDir Path dir;

  private static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(42).nextBytes(b);
    return b;
  }

  /** A real store with enough rows to span many pages, closed. */
  private Path populated() {
    Path db = dir.resolve("store.db");
    try (SqliteImageRepository repo = SqliteImageRepository.open(db)) {
      repo.inTransaction(
          tx -> {
            for (int i = 0; i < 300; i++) {
              String id = "img-" + i;
              tx.putImage(
                  new io.thinimage.core.domain.Image(
                      id,
                      "s3://bucket",
                      new ImageReference("images/" + id + "/"),
                      List.of(
                          new ImageLayer(
                              1,
                              new RemoteObject("images/" + id + "/1.tar", i, "\"e\""),
                              null,
                              null)),
                      null,
                      ImageState.PENDING,
                      null,
                      "padding ".repeat(20),
                      Instant.EPOCH.plusSeconds(i),
                      Instant.EPOCH.plusSeconds(i)));
            }
            return null;
          });
    }
    return db;
  }

  private void assertRefusedUntouched(Path db) throws Exception {
    byte[] before = Files.readAllBytes(db);

    assertThatThrownBy(() -> SqliteImageRepository.open(db))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
              assertThat(e.code()).isEqualTo("store-corrupt");
              assertThat(e.getMessage())
                  .contains(db.toAbsolutePath().toString())
                  .contains("restore a backup");
            });

    assertThat(Files.readAllBytes(db)).isEqualTo(before);
  }

  private static void assertNoWal(Path db) {
    assertThat(DatabaseFile.wal(db)).doesNotExist();
    assertThat(DatabaseFile.shm(db)).doesNotExist();
  }

  @Test
  void garbageIsRefusedAndNoWalIsCreated() throws Exception {
    Path db = dir.resolve("garbage.db");
    Files.write(db, random(8192));

    assertRefusedUntouched(db);
    assertNoWal(db);
  }

  @Test
  void aFileShorterThanAHeaderIsRefused() throws Exception {
    Path db = dir.resolve("short.db");
    Files.write(
        db,
        "SQLite format 3\0 and then nothing"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

    assertRefusedUntouched(db);
    assertNoWal(db);
  }

  @Test
  void aFileCutMidPageIsRefused() throws Exception {
    Path db = populated();
    long size = Files.size(db);
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(size / 2 + 100);
    }

    assertRefusedUntouched(db);
    assertNoWal(db);
  }

  @Test
  void aFileCutAtAPageBoundaryIsRefused() throws Exception {
    Path db = populated();
    long size = Files.size(db);
    assertThat(size).isGreaterThan(8 * 4096);
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(size - 4 * 4096);
    }

    assertRefusedUntouched(db);
    assertNoWal(db);
  }

  @Test
  void aDamagedPageIsFoundByQuickCheck() throws Exception {
    Path db = populated();
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.seek(3 * 4096);
      f.write(random(2 * 4096));
    }

    assertRefusedUntouched(db);
  }

  @Test
  void anEmptyFileIsANewStore() throws Exception {
    Path db = dir.resolve("empty.db");
    Files.createFile(db);

    try (SqliteImageRepository repo = SqliteImageRepository.open(db)) {
      assertThat(repo.read(RepositoryReader::counts).images()).isZero();
    }
  }

  @Test
  void aStoreFromANewerBuildIsRefused() throws Exception {
    Path db = populated();
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db)) {
      Jdbc.exec(c, "PRAGMA user_version = " + (Migrations.LATEST + 1));
    }

    assertThatThrownBy(() -> SqliteImageRepository.open(db))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("store-schema-too-new"));
  }
}
