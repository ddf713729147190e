package io.thinimage.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.RepositoryReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The port contract on the fake, plus the fake's commit counter and failure injection. */
class InMemoryImageRepositoryTest extends ImageRepositoryContract {

  @Override
  protected ImageRepository newRepository(Path dir) {
    return new InMemoryImageRepository();
  }

  private InMemoryImageRepository fake() {
    return (InMemoryImageRepository) repo;
  }

  @Test
  void countsOnlyCommittedTransactions() {
    write(tx -> tx.putBlob(blob(1)));
    assertThatThrownBy(
            () ->
                write(
                    tx -> {
                      throw new IllegalArgumentException("no");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    write(tx -> tx.putBlob(blob(2)));

    assertThat(fake().commits()).isEqualTo(2);
  }

  @Test
  void failNextCommitsRollsBackExactlyNTransactions() {
    ThinImageException disk = ThinImageException.transientFailure("disk-full", "injected", null);
    fake().failNextCommits(2, disk);

    assertThatThrownBy(() -> write(tx -> tx.putImage(image("img-a", 0, ImageState.READY))))
        .isSameAs(disk);
    assertThatThrownBy(() -> write(tx -> tx.putImage(image("img-b", 0, ImageState.READY))))
        .isSameAs(disk);
    write(tx -> tx.putImage(image("img-c", 0, ImageState.READY)));

    assertThat(read(RepositoryReader::listImages)).extracting(i -> i.id()).containsExactly("img-c");
    assertThat(fake().commits()).isEqualTo(1);
  }
}
