package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.layer.ApplyReport;
import io.thinimage.core.layer.EntryType;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import io.thinimage.core.layer.LayerTar;
import io.thinimage.core.layer.RootPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java.nio seam's own guarantees, below the layer rules. */
class NioRootFilesystemTest {
  @TempDir Path tmp;

  private Path root;
  private Path outside;
  private Map<String, String> outsideBefore;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside/etc"));
    Files.writeString(outside.resolve("passwd"), "sentinel", StandardCharsets.UTF_8);
    outsideBefore = NioTrees.snapshot(tmp.resolve("outside"));
  }

  private void assertOutsideUntouched() throws IOException {
    assertThat(NioTrees.snapshot(tmp.resolve("outside"))).isEqualTo(outsideBefore);
  }

  private static RootPath p(String s) {
    return RootPath.clean(s, "test");
  }

  @Test
  void refusesEveryOperationThroughASymlinkedParent() throws IOException {
    Files.createSymbolicLink(root.resolve("x"), Path.of("../outside/etc"));
    NioRootFilesystem fs = new NioRootFilesystem(root);
    for (ThrowingOp op :
        new ThrowingOp[] {
          () -> fs.createFile(p("x/evil"), new ByteArrayInputStream(new byte[1]), 1),
          () -> fs.createDirectory(p("x/d")),
          () -> fs.createSymlink(p("x/s"), "/"),
          () -> fs.remove(p("x/passwd")),
          () -> fs.setMode(p("x/passwd"), 0777),
          () -> fs.setOwner(p("x/passwd"), 1, 1),
          () -> fs.typeOf(p("x/passwd")),
          () -> fs.list(p("x/etc")),
        }) {
      assertThatThrownBy(op::run)
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> assertThat(e.code()).isEqualTo("layer-path-through-symlink"));
    }
    // the last name is never followed either: listing the symlink itself is not listing outside
    assertThatThrownBy(() -> fs.list(p("x"))).isInstanceOf(NotDirectoryException.class);
    assertOutsideUntouched();
  }

  @Test
  void neverWritesThroughAnExistingSymlink() throws IOException {
    Files.createSymbolicLink(root.resolve("passwd"), outside.resolve("passwd"));
    NioRootFilesystem fs = new NioRootFilesystem(root);
    assertThatThrownBy(() -> fs.createFile(p("passwd"), new ByteArrayInputStream(new byte[3]), 3))
        .isInstanceOf(FileAlreadyExistsException.class);
    fs.setModifiedTime(p("passwd"), java.time.Instant.EPOCH); // the link's own time
    assertOutsideUntouched();
  }

  @Test
  void removingASymlinkToADirectoryKeepsTheTarget() throws IOException {
    Files.createSymbolicLink(root.resolve("etc"), outside);
    NioRootFilesystem fs = new NioRootFilesystem(root);
    assertThat(fs.typeOf(p("etc"))).isEqualTo(EntryType.SYMLINK);
    fs.remove(p("etc"));
    assertThat(fs.typeOf(p("etc"))).isEqualTo(EntryType.ABSENT);
    assertOutsideUntouched();
  }

  @Test
  void removeIsRecursiveAndQuietWhenAbsent() throws IOException {
    NioRootFilesystem fs = new NioRootFilesystem(root);
    fs.createDirectory(p("d"));
    fs.createDirectory(p("d/e"));
    fs.createFile(p("d/e/f"), new ByteArrayInputStream(new byte[2]), 2);
    fs.createSymlink(p("d/l"), "../../outside");
    fs.remove(p("d"));
    fs.remove(p("d"));
    assertThat(NioTrees.describe(root)).containsOnlyKeys(".");
    assertOutsideUntouched();
  }

  @Test
  void unprivilegedSkipsOwnersAndDevicesButKeepsModes() throws IOException {
    NioRootFilesystem fs = new NioRootFilesystem(root, false);
    byte[] tar =
        LayerTar.layer()
            .file("su", "su".getBytes(StandardCharsets.UTF_8), 04755, 1000, 1000)
            .device("null", false, 1, 3, 0666)
            .fifo("fifo", 0640)
            .bytes();
    ApplyReport r =
        new LayerApplier(LayerLimits.defaults(), Clock.systemUTC())
            .apply(new ByteArrayInputStream(tar), LayerTar.digest(tar), fs);
    assertThat(r.ownershipApplied()).isFalse();
    assertThat(r.devicesSkipped()).isEqualTo(1);
    int uid =
        (Integer) Files.getAttribute(root.resolve("su"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
    assertThat(uid).isNotEqualTo(1000);
    assertThat(NioTrees.describe(root).get("su")).startsWith("file 4755 ");
    assertThat(NioTrees.describe(root)).containsOnlyKeys(".", "su", "fifo");
  }

  @Test
  void factoryAndConstructorCheckTheRoot() throws IOException {
    assertThat(new NioRootFilesystemFactory().open(root).typeOf(RootPath.ROOT))
        .isEqualTo(EntryType.DIRECTORY);
    Path file = Files.writeString(tmp.resolve("plain"), "x", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new NioRootFilesystem(file))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NioRootFilesystem(tmp.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @FunctionalInterface
  interface ThrowingOp {
    void run() throws Exception;
  }
}
