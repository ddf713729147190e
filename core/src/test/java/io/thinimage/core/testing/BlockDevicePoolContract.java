package io.thinimage.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link BlockDevicePool} promises, run against each implementation with real
 * files. Subclasses provide {@link #newPool}; a pool with real block devices (devicemapper) returns
 * true from {@link #providesBlockDevices()} to run the device-only cases as well.
 */
public abstract class BlockDevicePoolContract {
  /** A per-test directory the pool may use for its files. */
  @TempDir protected Path dir;

  /** The pool under test, fresh for each test. */
  protected BlockDevicePool pool;

  /** A new, empty pool that keeps its files under {@code dir}. */
  protected abstract BlockDevicePool newPool(Path dir);

  /** Whether volumes are real block devices that are mounted and activated (dm-only cases). */
  protected boolean providesBlockDevices() {
    return false;
  }

  /** Virtual size of the test volumes; large enough for an ext4 with a journal. */
  protected long volumeSize() {
    return 64L * 1024 * 1024;
  }

  /** A volume spec with the contract's size. */
  protected VolumeSpec volume(long thinId) {
    return VolumeSpec.of(thinId, volumeSize());
  }

  @BeforeEach
  void createPool() {
    pool = newPool(dir);
  }

  private List<Long> ids() {
    return pool.list().stream().map(PoolVolume::thinId).toList();
  }

  @Test
  void freshPoolAcceptsAllocationsAndNamesItsDriver() {
    BlockDevicePool.PoolStatus s = pool.status();
    assertThat(s.driver()).isEqualTo(pool.driver());
    assertThat(s.acceptsAllocations()).as("refusal: %s", s.refusalReason()).isTrue();
    assertThat(pool.list()).isEmpty();
  }

  @Test
  void createIsIdempotent() {
    pool.createVolume(volume(1));
    pool.createVolume(volume(1));
    assertThat(ids()).containsExactly(1L);
  }

  @Test
  void snapshotPreservesContentAndIsIdempotent() throws IOException {
    VolumeSpec origin = volume(1);
    VolumeSpec snap = volume(2);
    pool.createVolume(origin);
    Path o = pool.mount(origin);
    Files.writeString(o.resolve("hello.txt"), "from the origin", StandardCharsets.UTF_8);

    pool.createSnapshot(origin, snap);
    pool.createSnapshot(origin, snap);

    Path s = pool.mount(snap);
    assertThat(s).isNotEqualTo(o);
    assertThat(Files.readString(s.resolve("hello.txt"), StandardCharsets.UTF_8))
        .isEqualTo("from the origin");
    Files.writeString(s.resolve("only-in-snapshot.txt"), "x", StandardCharsets.UTF_8);
    assertThat(o.resolve("only-in-snapshot.txt")).doesNotExist();
    pool.unmount(snap);
    pool.unmount(origin);
    assertThat(ids()).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void snapshotOfAMissingOriginIsNotFound() {
    assertThatThrownBy(() -> pool.createSnapshot(volume(7), volume(8)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    assertThat(ids()).doesNotContain(8L);
  }

  @Test
  void deleteIsIdempotent() {
    pool.createVolume(volume(3));
    pool.delete(volume(3));
    pool.delete(volume(3));
    assertThat(ids()).doesNotContain(3L);
  }

  @Test
  void deleteOfAMissingVolumeSucceeds() {
    pool.delete(volume(42));
    assertThat(ids()).isEmpty();
  }

  @Test
  void listShowsExactlyOurVolumes() {
    pool.createVolume(volume(1));
    pool.createVolume(volume(5));
    pool.createSnapshot(volume(1), volume(9));
    pool.activate(volume(9));
    assertThat(ids()).containsExactlyInAnyOrder(1L, 5L, 9L);
    pool.delete(volume(5));
    assertThat(ids()).containsExactlyInAnyOrder(1L, 9L);
  }

  @Test
  void mountIsIdempotentAndUnmountIsIdempotent() throws IOException {
    pool.createVolume(volume(4));
    pool.unmount(volume(4));
    Path first = pool.mount(volume(4));
    assertThat(pool.mount(volume(4))).isEqualTo(first);
    Files.writeString(first.resolve("f"), "kept", StandardCharsets.UTF_8);
    pool.unmount(volume(4));
    pool.unmount(volume(4));
    Path again = pool.mount(volume(4));
    assertThat(Files.readString(again.resolve("f"), StandardCharsets.UTF_8)).isEqualTo("kept");
    pool.unmount(volume(4));
  }

  @Test
  void activateReturnsAPathAndIsIdempotent() {
    pool.createVolume(volume(6));
    String path = pool.activate(volume(6));
    assertThat(path).isNotBlank();
    assertThat(pool.activate(volume(6))).isEqualTo(path);
    assertThat(Path.of(path)).exists();
    pool.deactivate(volume(6));
    pool.deactivate(volume(6));
  }

  @Test
  void mountOfAMissingVolumeIsNotFound() {
    assertThatThrownBy(() -> pool.mount(volume(11)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  // ---- cases that only make sense with real block devices (devicemapper) ----

  @Test
  void blockDevicesActivateUnderDevMapperAndListTheirState() {
    assumeTrue(providesBlockDevices(), "block-device pools only");
    pool.createVolume(volume(12));
    String dev = pool.activate(volume(12));
    assertThat(dev).startsWith("/dev/mapper/");
    assertThat(pool.list())
        .filteredOn(v -> v.thinId() == 12)
        .singleElement()
        .satisfies(v -> assertThat(v.active()).isTrue())
        .satisfies(v -> assertThat(v.devicePath()).isEqualTo(dev));
    pool.mount(volume(12));
    assertThat(pool.list())
        .filteredOn(v -> v.thinId() == 12)
        .singleElement()
        .satisfies(v -> assertThat(v.mounted()).isTrue());
    pool.unmount(volume(12));
    assertThat(pool.list()).filteredOn(v -> v.thinId() == 12 && v.active()).isEmpty();
  }

  @Test
  void deleteOfAMountedBlockVolumeIsRefusedNotForced() {
    assumeTrue(providesBlockDevices(), "block-device pools only");
    pool.createVolume(volume(13));
    pool.mount(volume(13));
    assertThatThrownBy(() -> pool.delete(volume(13)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT));
    pool.unmount(volume(13));
    pool.delete(volume(13));
    assertThat(ids()).doesNotContain(13L);
  }
}
