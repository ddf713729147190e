package io.thinimage.adapters.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a process killed inside the directory pool leaves under {@code <root>/tmp} (a volume moved
 * aside but not yet deleted, a half snapshot copy): the retried delete removes it, and gc sees it
 * through {@code debris()}.
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

  @Test
  void debrisListsWhatInterruptedOperationsLeftAndDeletesOnlyThat() throws IOException {
    Path root = tmp.resolve("pool");
    DirectoryPool pool = new DirectoryPool(root);
    pool.createVolume(v(1));
    assertThat(pool.debris()).isEmpty();
    Path aside = Files.createDirectories(root.resolve("tmp/ti-7.deleting/etc"));
    Files.writeString(aside.resolve("passwd"), "root:x:0:0");
    Path half = Files.createDirectories(root.resolve("tmp/ti-8"));
    Path outside = Files.writeString(tmp.resolve("precious"), "not the pool's");

    assertThat(pool.debris())
        .containsExactly(
            root.resolve("tmp/ti-7.deleting").toString(), root.resolve("tmp/ti-8").toString());
    assertThatThrownBy(() -> pool.deleteDebris(outside.toString()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pool.deleteDebris(root.resolve("tmp/../volumes/ti-1").toString()))
        .isInstanceOf(IllegalArgumentException.class);
    for (String item : pool.debris()) {
      pool.deleteDebris(item);
      pool.deleteDebris(item);
    }

    assertThat(pool.debris()).isEmpty();
    assertThat(half).doesNotExist();
    assertThat(outside).exists();
    assertThat(pool.volumeDir(v(1))).isDirectory();
  }

  private static long entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
