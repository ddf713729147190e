package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.layer.ApplyReport;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import io.thinimage.core.layer.LayerTar;
import io.thinimage.core.testing.HostileTar;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer shapes that need a real filesystem: holes kept on disk, a 256-deep tree, modes. */
class NioHostileShapesTest {
  @TempDir Path tmp;

  private ApplyReport apply(byte[] layer, Path root, boolean privileged) {
    return new LayerApplier(LayerLimits.defaults(), Clock.systemUTC())
        .apply(
            new ByteArrayInputStream(layer),
            LayerTar.digest(layer),
            new NioRootFilesystem(root, privileged));
  }

  @Test
  void sparseFileOfFourGibKeepsItsHoles() throws Exception {
    long size = 4L << 30;
    byte[] layer = HostileTar.bytesOf(HostileTar.sparseFile("sp", size, 0, 1L << 30, 3L << 30));
    Path root = Files.createDirectory(tmp.resolve("root"));
    ApplyReport r = apply(layer, root, true);
    Path sp = root.resolve("sp");
    assertThat(Files.size(sp)).isEqualTo(size);
    assertThat(r.bytes()).isEqualTo(size);
    // st_blocks: the data (3 x 4 KiB) and the last byte, nowhere near 4 GiB
    Process stat = new ProcessBuilder("stat", "-c", "%b", sp.toString()).start();
    long blocks =
        Long.parseLong(
            new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    assertThat(stat.waitFor()).isZero();
    assertThat(blocks * 512).isLessThan(1 << 20);
    try (var ch = java.nio.channels.FileChannel.open(sp)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4097);
      ch.read(b, (1L << 30) - 1);
      assertThat(b.get(0)).isZero();
      assertThat(b.get(1)).isEqualTo((byte) 'd');
      assertThat(b.get(4096)).isEqualTo((byte) 'd');
    }
  }

  @Test
  void deepTreeAppliesOnDisk() throws Exception {
    byte[] layer = HostileTar.bytesOf(HostileTar.deepTree(5, 255, 201));
    Path root = Files.createDirectory(tmp.resolve("root"));
    ApplyReport r = apply(layer, root, true);
    assertThat(r.entries()).isEqualTo(1476);
  }

  @Test
  void restrictiveModesAreSetLast() throws Exception {
    byte[] layer = HostileTar.bytesOf(HostileTar.restrictiveModes());
    Path root = Files.createDirectory(tmp.resolve("root"));
    apply(layer, root, false);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("ro"))))
        .isEqualTo("r-xr-xr-x");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("ro/sub/secret"))))
        .isEqualTo("---------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/empty"))))
        .isEqualTo("r-xr-xr-x");
    // let the temp dir go
    Files.setPosixFilePermissions(root.resolve("ro"), PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(
        root.resolve("ro/sub"), PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(
        root.resolve("ro/locked"), PosixFilePermissions.fromString("rwx------"));
  }
}
