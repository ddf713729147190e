package io.thinimage.adapters.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.adapters.devicemapper.CommandResult;
import io.thinimage.adapters.devicemapper.ProcessCommandRunner;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directory-pool specifics beyond the port contract, on real files and a real {@code cp}. */
class DirectoryPoolTest {
  @TempDir Path tmp;

  private static VolumeSpec v(long id) {
    return VolumeSpec.of(id, 1L << 20);
  }

  @Test
  void snapshotsKeepModesSymlinksAndHardlinks() throws IOException {
    DirectoryPool pool = new DirectoryPool(tmp.resolve("pool"));
    pool.createVolume(v(1));
    Path o = pool.mount(v(1));
    Path bin = Files.createDirectories(o.resolve("usr/bin"));
    Path su = Files.writeString(bin.resolve("su"), "suid");
    // java.nio cannot set setuid; chmod(1) can
    assertThat(
            new ProcessCommandRunner()
                .run(java.util.List.of("chmod", "4755", su.toString()), Duration.ofSeconds(10))
                .ok())
        .isTrue();
    Files.createSymbolicLink(o.resolve("abs"), Path.of("/usr/bin/su"));
    Files.createLink(bin.resolve("su-hard"), su);

    pool.createSnapshot(v(1), v(2));

    Path s = pool.mount(v(2));
    Path su2 = s.resolve("usr/bin/su");
    assertThat(Files.readString(su2)).isEqualTo("suid");
    assertThat((int) Files.getAttribute(su2, "unix:mode") & 07777).isEqualTo(04755);
    assertThat(Files.readSymbolicLink(s.resolve("abs"))).isEqualTo(Path.of("/usr/bin/su"));
    assertThat(Files.getAttribute(s.resolve("usr/bin/su-hard"), "unix:ino"))
        .isEqualTo(Files.getAttribute(su2, "unix:ino"));
    assertThat(Files.getAttribute(su2, "unix:ino"))
        .isNotEqualTo(Files.getAttribute(su, "unix:ino"));
  }

  @Test
  void aFailedCopyLeavesNoSnapshotUnderItsFinalName() {
    Path root = tmp.resolve("pool");
    DirectoryPool real = new DirectoryPool(root);
    real.createVolume(v(1));
    DirectoryPool failing =
        new DirectoryPool(
            root,
            (argv, timeout) -> {
              // a copy that dies half-way: it wrote something into the staging dir, then failed
              try {
                Files.createDirectories(Path.of(argv.get(argv.size() - 1)).resolve("half"));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
              return new CommandResult(
                  argv, 1, "", "cp: error writing: No space left on device", false);
            },
            0.0,
            Duration.ofSeconds(5));
    assertThatThrownBy(() -> failing.createSnapshot(v(1), v(2)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT));
    assertThat(root.resolve("volumes/ti-2")).doesNotExist();
    assertThat(root.resolve("tmp/ti-2")).doesNotExist();
    assertThat(real.list()).extracting(PoolVolume::thinId).containsExactly(1L);
  }

  @Test
  void debrisOfACrashedCopyIsReplacedNotReused() throws IOException {
    Path root = tmp.resolve("pool");
    DirectoryPool pool = new DirectoryPool(root);
    pool.createVolume(v(1));
    Files.writeString(pool.mount(v(1)).resolve("good"), "g");
    Files.createDirectories(root.resolve("tmp/ti-2/stale"));
    pool.createSnapshot(v(1), v(2));
    Path s = pool.mount(v(2));
    assertThat(s.resolve("good")).exists();
    assertThat(s.resolve("stale")).doesNotExist();
  }

  @Test
  void listIgnoresForeignNamesAndCleansNothing() throws IOException {
    Path root = tmp.resolve("pool");
    DirectoryPool pool = new DirectoryPool(root);
    pool.createVolume(v(3));
    Path volumes = root.resolve("volumes");
    Files.createDirectories(volumes.resolve("other"));
    Files.createDirectories(volumes.resolve("ti-007"));
    Files.createDirectories(volumes.resolve("ti-99999999"));
    Files.writeString(volumes.resolve("ti-4"), "a file, not a volume");
    Files.createSymbolicLink(volumes.resolve("ti-5"), volumes.resolve("ti-3"));
    assertThat(pool.list())
        .containsExactly(new PoolVolume(3, true, false, volumes.resolve("ti-3").toString()));
    assertThat(volumes.resolve("other")).exists();
    assertThat(volumes.resolve("ti-5")).exists();
    assertThat(Files.exists(volumes.resolve("ti-4"), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  void refusesNewVolumesUnderTheFreeSpaceThreshold() {
    DirectoryPool pool =
        new DirectoryPool(
            tmp.resolve("pool"), new ProcessCommandRunner(), 0.999999, Duration.ofSeconds(5));
    assertThat(pool.status().acceptsAllocations()).isFalse();
    assertThat(pool.status().dataTotalBytes()).isPositive();
    assertThatThrownBy(() -> pool.createVolume(v(1)))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE);
              assertThat(e.code()).isEqualTo("pool-data-low");
            });
  }

  @Test
  void deleteRemovesReadOnlyTreesWithoutFollowingSymlinks() throws IOException {
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "keep me");
    DirectoryPool pool = new DirectoryPool(tmp.resolve("pool"));
    pool.createVolume(v(1));
    Path m = pool.mount(v(1));
    Path ro = Files.createDirectories(m.resolve("ro"));
    Files.writeString(ro.resolve("f"), "x");
    Files.createSymbolicLink(m.resolve("link"), outside);
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    pool.delete(v(1));
    assertThat(pool.list()).isEmpty();
    assertThat(outside).hasContent("keep me");
  }
}
