package io.thinimage.core.layer;

import static io.thinimage.core.layer.LayerTar.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The layer rules against hostile and tricky tarballs, run against every {@link RootFilesystem}
 * implementation. Names of the first group follow containerd's {@code TestBreakouts}
 * (pkg/archive/tar_test.go). Every test asserts the exact outcome, and after every test the
 * sentinel directory outside the root must be byte-for-byte unchanged.
 *
 * <p>Symlinks that "point out" aim at the sentinel ({@link #outside()} absolutely, {@code
 * ../outside} relatively from the root), never at the host's real {@code /etc}.
 */
public abstract class LayerRulesContract {

  /** A fresh, empty root for one test. */
  protected abstract RootFilesystem newRoot() throws Exception;

  /** The root's tree in {@link InMemoryRootFilesystem#describe()} format. */
  protected abstract Map<String, String> tree() throws Exception;

  /**
   * Absolute path of a sentinel directory outside the root that contains {@code etc/passwd}; the
   * root's parent directory also holds it as {@code outside}, so {@code ../outside} from the root
   * reaches it.
   */
  protected abstract String outside();

  /** Fails if anything in or around the sentinel changed. */
  protected abstract void assertOutsideUntouched() throws Exception;

  protected RootFilesystem fs;

  @BeforeEach
  void freshRoot() throws Exception {
    fs = newRoot();
  }

  @AfterEach
  void sentinelUntouched() throws Exception {
    assertOutsideUntouched();
  }

  // ---- helpers ----

  protected ApplyReport apply(LayerTar tar) {
    return apply(tar.bytes(), LayerLimits.defaults());
  }

  protected ApplyReport apply(byte[] data, LayerLimits limits) {
    return new LayerApplier(limits, Clock.system(ZoneOffset.UTC))
        .apply(new ByteArrayInputStream(data), LayerTar.digest(data), fs);
  }

  protected void applyAll(LayerTar... layers) {
    for (LayerTar l : layers) {
      apply(l);
    }
  }

  protected void assertFails(String code, LayerTar tar) {
    assertFails(code, tar.bytes(), LayerLimits.defaults());
  }

  protected void assertFails(String code, byte[] data, LayerLimits limits) {
    assertThatThrownBy(() -> apply(data, limits))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
            });
  }

  /** The sentinel's path relative to {@code /}: where an absolute target lands inside the root. */
  protected String outsideRel() {
    return outside().substring(1);
  }

  protected String abs(String below) {
    return outside() + "/" + below;
  }

  protected static String dir() {
    return "dir 0755 0:0";
  }

  protected static String file(String content) {
    return file(content, 0644, 1);
  }

  protected static String file(String content, int mode, int links) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return String.format(
        "file %04o 0:0 size=%d sha=%s links=%d mtime=%d",
        mode, b.length, InMemoryRootFilesystem.sha12(b), links, LayerTar.MTIME.getEpochSecond());
  }

  protected static String symlink(String target) {
    return "symlink 0:0 -> " + target;
  }

  // ---- containerd TestBreakouts ----

  @Test
  void symlinkAbsolute() throws Exception {
    apply(layer().dir("etc").symlink("localetc", abs("etc")).file("localetc/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("localetc", symlink(abs("etc")))
        .containsEntry(outsideRel() + "/etc/unbreakout", file("x"))
        .containsEntry("etc", dir());
  }

  @Test
  void symlinkUpAndOut() throws Exception {
    apply(
        layer()
            .dir("etc")
            .dir("dummy")
            .symlink("localetc", "dummy/../../outside/etc")
            .file("localetc/unbreakout", "x"));
    assertThat(tree()).containsEntry("outside/etc/unbreakout", file("x"));
  }

  @Test
  void symlinkMultipleAbsolute() throws Exception {
    apply(
        layer()
            .symlink("localetc", abs("etc"))
            .symlink("localetc2", "/localetc")
            .file("localetc2/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("localetc2", symlink("/localetc"))
        .containsEntry(outsideRel() + "/etc/unbreakout", file("x"));
  }

  @Test
  void symlinkMultipleRelative() throws Exception {
    apply(
        layer()
            .dir("dummy")
            .symlink("localetc", "../outside/etc")
            .symlink("localetc2", "dummy/../localetc")
            .file("localetc2/unbreakout", "x"));
    assertThat(tree()).containsEntry("outside/etc/unbreakout", file("x"));
  }

  @Test
  void symlinkEmptyFile() throws Exception {
    apply(layer().symlink("localetc", abs("etc/passwd")).file("localetc", ""));
    assertThat(tree()).containsEntry("localetc", file(""));
  }

  @Test
  void hardlinkRelative() throws Exception {
    assertFails("layer-path-escape", layer().hardlink("localpasswd", "../../etc/passwd"));
  }

  @Test
  void hardlinkDownAndOut() throws Exception {
    assertFails(
        "layer-hardlink-target-missing",
        layer()
            .dir("dummy")
            .symlink("dummy/up", "../../outside")
            .hardlink("localpasswd", "dummy/up/etc/passwd"));
  }

  @Test
  void hardlinkAbsolute() throws Exception {
    assertFails(
        "layer-hardlink-target-missing",
        layer().symlink("localetc", abs("etc")).hardlink("localpasswd", "localetc/passwd"));
  }

  @Test
  void hardlinkRelativeLong() throws Exception {
    assertFails(
        "layer-path-escape",
        layer().hardlink("localpasswd", "../../../../../../../../../../../../etc/passwd"));
  }

  @Test
  void hardlinkRelativeUpAndOut() throws Exception {
    assertFails(
        "layer-path-escape",
        layer()
            .symlink("localetc", abs("etc"))
            .hardlink("localpasswd", "localetc/../../outside/etc/passwd"));
  }

  @Test
  void hardlinkDirectRelative() throws Exception {
    assertFails("layer-path-escape", layer().hardlink("localpasswd", "../outside/etc/passwd"));
  }

  @Test
  void hardlinkDirectAbsolute() throws Exception {
    assertFails(
        "layer-hardlink-target-missing", layer().hardlink("localpasswd", abs("etc/passwd")));
  }

  @Test
  void symlinkParentDirectory() throws Exception {
    apply(
        layer().dir("etc").symlink("localetc", "../outside/etc/").file("localetc/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("localetc", symlink("../outside/etc")) // stored as java.nio normalises it
        .containsEntry("outside/etc/unbreakout", file("x"));
  }

  @Test
  void symlinkEmptyFilename() throws Exception {
    assertFails("layer-path-empty", layer().symlink("", abs("etc")));
  }

  @Test
  void symlinkParentRelative() throws Exception {
    apply(layer().symlink("localetc", "..").file("localetc/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("localetc", symlink(".."))
        .containsEntry("unbreakout", file("x"));
  }

  @Test
  void symlinkSlashEnded() throws Exception {
    apply(layer().dir("dir/").symlink("dir/", abs("etc")).file("dir/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("dir", symlink(abs("etc")))
        .containsEntry(outsideRel() + "/etc/unbreakout", file("x"));
  }

  @Test
  void symlinkOverrideDirectory() throws Exception {
    apply(
        layer()
            .dir("etc")
            .dir("localetc")
            .file("localetc/old", "o")
            .symlink("localetc", abs("etc"))
            .file("localetc/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("localetc", symlink(abs("etc")))
        .doesNotContainKey("localetc/old")
        .containsEntry(outsideRel() + "/etc/unbreakout", file("x"));
  }

  @Test
  void symlinkOverrideDirectoryRelative() throws Exception {
    apply(
        layer()
            .dir("localetc")
            .symlink("localetc", "../outside/etc")
            .file("localetc/unbreakout", "x"));
    assertThat(tree())
        .containsEntry("localetc", symlink("../outside/etc"))
        .containsEntry("outside/etc/unbreakout", file("x"));
  }

  @Test
  void directoryOverrideSymlink() throws Exception {
    apply(layer().symlink("localetc", abs("etc")).dir("localetc").file("localetc/passwd", "p"));
    assertThat(tree())
        .containsEntry("localetc", dir())
        .containsEntry("localetc/passwd", file("p"))
        .doesNotContainKey(outsideRel() + "/etc/passwd");
  }

  @Test
  void directoryOverrideSymlinkAndHardlink() throws Exception {
    apply(
        layer()
            .symlink("localetc", abs("etc"))
            .dir("localetc")
            .file("localetc/passwd", "p")
            .hardlink("localetc/passwd2", "localetc/passwd"));
    assertThat(tree())
        .containsEntry("localetc", dir())
        .containsEntry("localetc/passwd", file("p", 0644, 2))
        .containsEntry("localetc/passwd2", file("p", 0644, 2));
  }

  @Test
  void whiteoutRootParent() throws Exception {
    apply(layer().dir("etc"));
    assertFails("layer-bad-whiteout", layer().whiteout(".wh..."));
    assertThat(tree()).containsEntry("etc", dir());
  }

  @Test
  void whiteoutParent() throws Exception {
    apply(layer().dir("etc").file("etc/passwd", "p"));
    assertFails("layer-bad-whiteout", layer().whiteout("etc/.wh..."));
    assertThat(tree()).containsEntry("etc/passwd", file("p"));
  }

  @Test
  void whiteoutRoot() throws Exception {
    apply(layer().dir("etc"));
    assertFails("layer-bad-whiteout", layer().whiteout(".wh.."));
    assertThat(tree()).containsEntry("etc", dir());
  }

  @Test
  void whiteoutCurrentDirectory() throws Exception {
    apply(layer().dir("etc").file("etc/passwd", "p"));
    assertFails("layer-bad-whiteout", layer().whiteout("etc/.wh.."));
    assertThat(tree()).containsEntry("etc/passwd", file("p"));
  }

  @Test
  void whiteoutSymlink() throws Exception {
    apply(layer().symlink("localetc", abs("etc")));
    ApplyReport r = apply(layer().whiteout(".wh.localetc"));
    assertThat(r.whiteouts()).isEqualTo(1);
    assertThat(tree()).containsOnlyKeys(".");
  }

  @Test
  void whiteoutSymlinkPath() throws Exception {
    apply(
        layer()
            .file(outsideRel() + "/etc/passwd", "inside copy")
            .file(outsideRel() + "/etc/group", "g")
            .symlink("localetc", abs("etc")));
    apply(layer().whiteout("localetc/.wh.passwd"));
    assertThat(tree())
        .doesNotContainKey(outsideRel() + "/etc/passwd")
        .containsEntry(outsideRel() + "/etc/group", file("g"))
        .containsEntry("localetc", symlink(abs("etc")));
  }

  @Test
  void whiteoutDirectoryName() throws Exception {
    apply(layer().dir("etc").file("etc/passwd", "p"));
    assertFails("layer-bad-whiteout", layer().dir(".wh.etc/").file(".wh.etc/passwd", "x"));
    assertThat(tree()).doesNotContainKey(".wh.etc");
  }

  @Test
  void whiteoutDeadSymlinkParent() throws Exception {
    apply(layer().symlink("localetc", abs("missing")));
    Map<String, String> before = tree();
    apply(layer().whiteout("localetc/.wh.passwd"));
    assertThat(tree()).isEqualTo(before);
  }

  @Test
  void whiteoutRelativePath() throws Exception {
    apply(layer().dir("etc"));
    assertFails("layer-path-escape", layer().whiteout("etc/../.wh.etc"));
    assertThat(tree()).containsEntry("etc", dir());
  }

  @Test
  void symlinkOverridePath() throws Exception {
    apply(
        layer()
            .dir("etc")
            .symlink("localetc", abs("etc"))
            .symlink("localetc", "etc")
            .file("localetc/f", "f"));
    assertThat(tree())
        .containsEntry("localetc", symlink("etc"))
        .containsEntry("etc/f", file("f"))
        .doesNotContainKey(outsideRel());
  }

  @Test
  void hardlinkSymlinkBeforeCreateTarget() throws Exception {
    assertFails(
        "layer-hardlink-target-missing",
        layer()
            .symlink("localetc", abs("etc"))
            .hardlink("localpasswd", "localetc/passwd")
            .dir(outsideRel() + "/etc")
            .file(outsideRel() + "/etc/passwd", "late"));
  }

  @Test
  void hardlinkSymlinkRelative() throws Exception {
    apply(
        layer()
            .symlink("passwdlink", "../outside/etc/passwd")
            .hardlink("localpasswd", "passwdlink"));
    assertThat(tree())
        .containsEntry("passwdlink", symlink("../outside/etc/passwd"))
        .containsEntry("localpasswd", symlink("../outside/etc/passwd"));
  }

  @Test
  void hardlinkSymlinkAbsolute() throws Exception {
    apply(layer().symlink("passwdlink", abs("etc/passwd")).hardlink("localpasswd", "passwdlink"));
    assertThat(tree()).containsEntry("localpasswd", symlink(abs("etc/passwd")));
  }

  @Test
  void hardlinkSymlinkChmod() throws Exception {
    apply(
        layer()
            .symlink("passwdlink", abs("etc/passwd"))
            .entry(
                "localpasswd",
                TarConstants.LF_LINK,
                s -> s.link("passwdlink").mode(0777).owner(1234, 1234),
                null));
    assertThat(tree()).containsEntry("localpasswd", symlink(abs("etc/passwd")));
  }
}
