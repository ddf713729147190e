package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.ImageState;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.testing.ImageRepositoryContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The port contract on a real SQLite file, plus what only a file-backed store has. */
class SqliteImageRepositoryTest extends ImageRepositoryContract {

  @Override
  protected ImageRepository newRepository(Path dir) {
    return SqliteImageRepository.open(dir.resolve("state").resolve("thinimage.db"));
  }

  private SqliteImageRepository sqlite() {
    return (SqliteImageRepository) repo;
  }

  @Test
  void createsParentDirectoriesAndReportsTheAbsolutePath() {
    ImageRepository.StoreInfo info = repo.info();

    Path expected = dir.resolve("state").resolve("thinimage.db").toAbsolutePath();
    assertThat(info.location()).isEqualTo(expected.toString());
    assertThat(Files.isRegularFile(expected)).isTrue();
    assertThat(info.schemaVersion()).isEqualTo(Migrations.LATEST);
    assertThat(info.sizeBytes()).isPositive();
  }

  @Test
  void reportsTheWalAndWarnsAboveTheThreshold() {
    repo.close();
    Path db = dir.resolve("small-threshold.db");
    repo =
        SqliteImageRepository.open(
            db,
            SqliteOptions.defaults()
                .withWalWarningBytes(1024)
                .withCheckpointInterval(Duration.ZERO));

    write(tx -> tx.putImage(image("img-a", 0, ImageState.READY)));

    ImageRepository.StoreInfo info = repo.info();
    assertThat(info.walSizeBytes()).isGreaterThan(1024);
    assertThat(info.walLarge()).isTrue();
  }

  @Test
  void reopeningMigratesNothingAndKeepsTheData() {
    write(tx -> tx.putImage(image("img-a", 0, ImageState.READY)));
    repo.close();

    repo = newRepository(dir);

    assertThat(repo.info().schemaVersion()).isEqualTo(Migrations.LATEST);
    assertThat(read(RepositoryReader::listImages)).hasSize(1);
  }

  @Test
  void theStoreIsSoundAfterTheContractsWrites() {
    write(tx -> tx.putImage(image("img-a", 0, ImageState.READY)));

    assertThat(sqlite().integrityCheck()).isEmpty();
  }
}
