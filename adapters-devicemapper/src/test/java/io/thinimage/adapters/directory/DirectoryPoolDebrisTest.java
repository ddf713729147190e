package io.thinimage.adapters.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a process killed inside the directory pool leaves under {@code <root>/tmp}, and the retried
 * delete that removes it: a volume moved aside but not yet deleted, a half snapshot copy.
 */
class DirectoryPoolDebrisTest {
  @TempDir Path tmp;

  private static VolumeSpec v(long id) {
    return VolumeSpec.of(id, 1L << 20);
  }

  @Test
  void aRetriedDeleteFinishesTheDeleteAKilledProcessLeftHalfDone() throws IOException {
    Path root = tmp.resolve("pool");
    DirectoryPool pool = new DirectoryPool(root);
    pool.createVolume(v(3));
    Files.writeString(pool.mount(v(3)).resolve("big"), "content of a large volume");
    // killed after the rename aside, before the tree was gone
    Path aside = root.resolve("tmp/ti-3.deleting");
    Files.move(pool.volumeDir(v(3)), aside);
    assertThat(pool.list()).isEmpty();

    pool.delete(v(3));

    assertThat(aside).doesNotExist();
    assertThat(entries(root.resolve("tmp"))).isZero();
  }

  @Test
  void deleteAlsoRemovesAHalfSnapshotCopyOfTheVolume() throws IOException {
    Path root = tmp.resolve("pool");
    DirectoryPool pool = new DirectoryPool(root);
    // killed during cp: the copy never reached its final name
    Path staging = Files.createDirectories(root.resolve("tmp/ti-4/usr"));
    Files.writeString(staging.resolve("half"), "half a copy");
    // another volume's debris is not this delete's business
    Path other = Files.createDirectories(root.resolve("tmp/ti-5.deleting"));

    pool.delete(v(4));

    assertThat(root.resolve("tmp/ti-4")).doesNotExist();
    assertThat(other).exists();
  }

  private static long entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
