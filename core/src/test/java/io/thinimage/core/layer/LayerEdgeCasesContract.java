package io.thinimage.core.layer;

import static io.thinimage.core.layer.LayerTar.layer;
import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.BlobDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * Hostile and tricky layers beyond containerd's list, and the ordinary semantics (whiteouts, type
 * changes, metadata, limits, stream checks), against every {@link RootFilesystem}.
 */
public abstract class LayerEdgeCasesContract extends LayerRulesContract {

  // ---- symlinks and hardlinks ----

  @Test
  void hardlinkToSymlinkPointingOutThenWriteThroughIt() throws Exception {
    apply(layer().symlink("out", "../outside/etc").hardlink("out2", "out").file("out2/evil", "e"));
    assertThat(tree())
        .containsEntry("out2", symlink("../outside/etc"))
        .containsEntry("outside/etc/evil", file("e"));
  }

  @Test
  void whiteoutThroughSymlinkedParentToOutside() throws Exception {
    apply(layer().symlink("link", outside()));
    apply(layer().whiteout("link/.wh.etc"));
    assertThat(tree()).containsOnlyKeys(".", "link");
  }

  @Test
  void opaqueMarkerUnderSymlinkToOutside() throws Exception {
    apply(layer().symlink("link", "../outside/etc"));
    apply(layer().whiteout("link/.wh..wh..opq"));
    assertThat(tree()).containsOnlyKeys(".", "link");
    // Once the in-root target exists, the marker clears that (inside the root) only.
    apply(layer().file("outside/etc/passwd", "inside"));
    ApplyReport r = apply(layer().whiteout("link/.wh..wh..opq"));
    assertThat(r.whiteouts()).isEqualTo(1);
    assertThat(tree()).containsEntry("outside/etc", dir()).doesNotContainKey("outside/etc/passwd");
  }

  @Test
  void symlinkLoopInParent() throws Exception {
    assertFails("layer-symlink-loop", layer().symlink("a", "b").symlink("b", "a").file("a/x", "x"));
  }

  @Test
  void selfSymlinkLoop() throws Exception {
    assertFails("layer-symlink-loop", layer().symlink("a", "/a").file("a/x", "x"));
  }

  @Test
  void symlinkChainThroughParentsStaysInside() throws Exception {
    apply(
        layer()
            .symlink("a", ".")
            .symlink("a/b", "..")
            .file("b/evil", "e")
            .file("a/b/a/b/deep", "d"));
    assertThat(tree())
        .containsEntry("a", symlink("."))
        .containsEntry("b", symlink(".."))
        .containsEntry("evil", file("e"))
        .containsEntry("deep", file("d"));
  }

  @Test
  void hardlinkToDirectoryIsRefused() throws Exception {
    assertFails("layer-hardlink-to-directory", layer().dir("d").hardlink("l", "d"));
  }

  @Test
  void hardlinkToLowerLayerFile() throws Exception {
    apply(layer().dir("bin").file("bin/ls", "ls"));
    apply(layer().hardlink("bin/dir", "/bin/ls"));
    assertThat(tree()).containsEntry("bin/dir", file("ls", 0644, 2));
  }

  // ---- names ----

  @Test
  void dotSlashDoubleSlashAndAbsoluteNames() throws Exception {
    apply(
        layer()
            .dir("./")
            .dir("./etc/")
            .file("./etc/./passwd", "p")
            .file("//etc//hosts", "h")
            .file("/etc/group", "g")
            .file("a..b", "ok"));
    assertThat(tree())
        .containsOnlyKeys(".", "etc", "etc/passwd", "etc/hosts", "etc/group", "a..b")
        .containsEntry("a..b", file("ok"));
  }

  @Test
  void paxPathWithDotDotIsRefused() {
    assertFails(
        "layer-path-escape",
        layer()
            .entry(
                "innocent",
                TarConstants.LF_NORMAL,
                s -> s.pax("path", "x/../../" + "y".repeat(120) + "/evil"),
                new byte[0]));
  }

  @Test
  void paxPathWithNulIsCutByTheTarReader() throws Exception {
    // Commons Compress ends a PAX path at a NUL, so the rule's own NUL check (RootPathTest)
    // never sees one here; what lands is the name before the NUL, inside the root.
    apply(
        layer()
            .entry(
                "innocent",
                TarConstants.LF_NORMAL,
                s -> s.pax("path", "a\0/../../b"),
                new byte[0]));
    assertThat(tree()).containsOnlyKeys(".", "a");
  }

  @Test
  void deepPathHitsLengthThenDepthLimit() {
    String deep = "a/".repeat(4000) + "f";
    byte[] tar = layer().file(deep, "x").bytes();
    assertFails("layer-path-too-long", tar, LayerLimits.defaults());
    assertFails("layer-path-too-deep", tar, LayerLimits.defaults().withMaxPathBytes(1 << 16));
  }

  @Test
  void rootEntryMustBeADirectory() throws Exception {
    assertFails("layer-root-type-change", layer().file(".", "x"));
    assertThat(tree()).containsOnlyKeys(".");
  }

  @Test
  void rootDirectoryEntryAppliesMetadata() throws Exception {
    apply(layer().dir("./", 0711, 0, 0));
    assertThat(tree()).containsEntry(".", "dir 0711 0:0");
  }

  // ---- sizes that lie ----

  @Test
  void headerClaimsSmallSizeWithHugeBody() {
    byte[] body = new byte[100_000];
    Arrays.fill(body, (byte) 'A');
    byte[] tar = layer().entry("f", TarConstants.LF_NORMAL, s -> {}, new byte[10]).bytes();
    // Splice a huge body after the 10 declared bytes: the rest parses as garbage headers.
    byte[] hostile = splice(tar, 512 + 10, body);
    assertFails("layer-malformed", hostile, LayerLimits.defaults());
  }

  @Test
  void headerClaimsHugeSizeWithSmallBody() {
    byte[] full = layer().entry("f", TarConstants.LF_NORMAL, s -> {}, new byte[1 << 20]).bytes();
    byte[] cut = Arrays.copyOf(full, 512 + 100);
    assertFails("layer-truncated", cut, LayerLimits.defaults());
  }

  @Test
  void headerSizeOverTheFileLimitIsRefusedBeforeReading() {
    byte[] tar = layer().file("big", new byte[4096], 0644, 0, 0).bytes();
    assertFails("layer-file-too-large", tar, LayerLimits.defaults().withMaxFileBytes(4095));
  }

  // ---- sequences ----

  @Test
  void duplicateEntriesLastWins() throws Exception {
    apply(layer().file("f", "one").file("f", "two").dir("d").dir("d", 0700, 0, 0));
    assertThat(tree()).containsEntry("f", file("two")).containsEntry("d", "dir 0700 0:0");
  }

  @Test
  void dirFileDirSequenceInOneLayer() throws Exception {
    apply(layer().dir("a").file("a/x", "x").file("a", "file").dir("a").file("a/y", "y"));
    assertThat(tree()).containsOnlyKeys(".", "a", "a/y");
  }

  @Test
  void directoryWhoseParentIsReplacedLaterInTheLayer() throws Exception {
    // Found by the property test: the deferred time of c/a must not trip over c, now a FIFO.
    apply(layer().dir("c/a").fifo("c", 0600));
    assertThat(tree()).containsOnlyKeys(".", "c").containsEntry("c", "fifo 0600 0:0 links=1");
  }

  @Test
  void typeChangesAcrossLayers() throws Exception {
    apply(layer().dir("a").file("a/x", "x").file("b", "b").dir("c").file("c/z", "z"));
    apply(layer().file("a", "now a file").dir("b").file("b/in", "in").symlink("c", "/a"));
    assertThat(tree())
        .containsOnlyKeys(".", "a", "b", "b/in", "c")
        .containsEntry("a", file("now a file"))
        .containsEntry("b", dir())
        .containsEntry("c", symlink("/a"));
  }

  @Test
  void whiteoutsAndOpaqueDirectories() throws Exception {
    apply(
        layer()
            .dir("etc")
            .file("etc/keep", "k")
            .file("etc/gone", "g")
            .dir("var")
            .file("var/a", "a")
            .dir("var/sub")
            .file("var/sub/b", "b"));
    ApplyReport r =
        apply(
            layer()
                .whiteout("etc/.wh.gone")
                .dir("var")
                .whiteout("var/.wh..wh..opq")
                .file("var/new", "n"));
    assertThat(r.whiteouts()).isEqualTo(2);
    assertThat(tree()).containsOnlyKeys(".", "etc", "etc/keep", "var", "var/new");
  }

  @Test
  void opaqueMarkerAfterEntriesKeepsThisLayersEntries() throws Exception {
    apply(layer().dir("d").file("d/old", "o").dir("d/sub").file("d/sub/old", "o"));
    apply(layer().file("d/new", "n").file("d/sub/new", "n").whiteout("d/.wh..wh..opq"));
    assertThat(tree()).containsOnlyKeys(".", "d", "d/new", "d/sub", "d/sub/new");
  }

  @Test
  void whiteoutOfSameLayerEntryKeepsIt() throws Exception {
    apply(layer().file("f", "lower"));
    apply(layer().file("f", "upper").whiteout(".wh.f"));
    assertThat(tree()).containsEntry("f", file("upper"));
  }

  @Test
  void whiteoutMarkersAreNeverMaterialised() throws Exception {
    apply(layer().dir("d").whiteout("d/.wh.nothing").whiteout("d/.wh..wh..opq"));
    apply(layer().whiteout(".wh..wh.plnk"));
    assertThat(tree()).containsOnlyKeys(".", "d");
  }

  // ---- metadata ----

  @Test
  void ownershipSetuidAndXattrs() throws Exception {
    ApplyReport r =
        apply(
            layer()
                .dir("home/node", 0755, 1000, 1000)
                .file("home/node/.profile", "p".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1000)
                .file("su", "su".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .entry(
                    "tagged",
                    TarConstants.LF_NORMAL,
                    s ->
                        s.xattr("user.k", "v")
                            .xattr("trusted.x", "t")
                            .xattr("security.selinux", "s"),
                    new byte[0])
                .dir("tmp", 01777, 0, 0));
    assertThat(r.xattrsSkipped()).isEqualTo(2);
    if (fs.privileged()) {
      assertThat(tree())
          .containsEntry("home", dir())
          .containsEntry("home/node", "dir 0755 1000:1000")
          .containsEntry("home/node/.profile", file("p", 0600, 1).replace("0:0", "1000:1000"));
    }
    assertThat(tree())
        .containsEntry("su", file("su", 04755, 1))
        .containsEntry("tmp", "dir 1777 0:0")
        .containsEntry("tagged", file("", 0644, 1) + " xattrs=[user.k]");
  }

  @Test
  void impliedParentBelowASetgidDirectoryIsRootOwned0755() throws Exception {
    // Found by the seam equivalence property: the kernel gives a directory made in a setgid
    // directory that directory's group and setgid bit; an implied parent must not depend on it.
    apply(layer().dir("shared", 02750, 1000, 1000).dir("shared/made/leaf", 0700, 0, 0));
    assertThat(tree()).containsEntry("shared/made", dir());
    if (fs.privileged()) {
      assertThat(tree())
          .containsEntry("shared", "dir 2750 1000:1000")
          .containsEntry("shared/made/leaf", "dir 0700 0:0");
    }
  }

  @Test
  void fifoAndDevices() throws Exception {
    ApplyReport r =
        apply(
            layer()
                .dir("dev")
                .fifo("dev/fifo", 0620)
                .device("dev/null", false, 1, 3, 0666)
                .device("dev/loop0", true, 7, 0, 0660));
    assertThat(tree()).containsEntry("dev/fifo", "fifo 0620 0:0 links=1");
    if (fs.privileged()) {
      assertThat(r.devicesSkipped()).isZero();
      assertThat(tree())
          .containsEntry("dev/null", "char 0666 0:0 1,3 links=1")
          .containsEntry("dev/loop0", "block 0660 0:0 7,0 links=1");
    } else {
      assertThat(r.devicesSkipped()).isEqualTo(2);
      assertThat(tree()).doesNotContainKeys("dev/null", "dev/loop0");
    }
  }

  @Test
  void outOfRangeDeviceNumberIsRefused() {
    assertFails("layer-bad-device", layer().device("d", false, 5000, 1, 0600));
  }

  @Test
  void preEpochMtimeIsClamped() throws Exception {
    apply(
        layer()
            .entry(
                "old",
                TarConstants.LF_NORMAL,
                s -> s.mtime(Instant.parse("1960-01-01T00:00:00Z")),
                new byte[0]));
    assertThat(tree().get("old")).endsWith("mtime=0");
  }

  // ---- the stream ----

  @Test
  void gzipLayerIsDecompressedAndItsRawDigestChecked() throws Exception {
    byte[] gz = layer().file("f", "zipped").gzipped();
    ApplyReport r = apply(gz, LayerLimits.defaults());
    assertThat(r.compression()).isEqualTo("gzip");
    assertThat(r.digest()).isEqualTo(LayerTar.digest(gz));
    assertThat(tree()).containsEntry("f", file("zipped"));
  }

  @Test
  void otherCompressionsAreRefused() {
    byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1, 2, 3, 4};
    byte[] xz = {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2};
    assertFails("layer-compression-unsupported", zstd, LayerLimits.defaults());
    assertFails("layer-compression-unsupported", xz, LayerLimits.defaults());
  }

  @Test
  void emptyGarbageAndShortStreamsAreRefused() {
    assertFails("layer-not-a-tar", new byte[0], LayerLimits.defaults());
    byte[] garbage = new byte[2048];
    Arrays.fill(garbage, (byte) 'x');
    assertFails("layer-not-a-tar", garbage, LayerLimits.defaults());
    assertFails(
        "layer-truncated",
        Arrays.copyOf(layer().file("f", "x").bytes(), 300),
        LayerLimits.defaults());
  }

  @Test
  void emptyArchiveIsAnEmptyLayer() throws Exception {
    ApplyReport r = apply(layer());
    assertThat(r.entries()).isZero();
    assertThat(tree()).containsOnlyKeys(".");
  }

  @Test
  void digestCoversTrailingBytesAfterTheEndMarker() throws Exception {
    byte[] tar = layer().file("f", "x").bytes();
    byte[] withJunk = splice(tar, tar.length, "trailing junk".getBytes(StandardCharsets.UTF_8));
    apply(withJunk, LayerLimits.defaults());
    LayerApplier applier = new LayerApplier(LayerLimits.defaults(), Clock.systemUTC());
    assertThatCode(
        "layer-digest-mismatch",
        () -> applier.apply(new ByteArrayInputStream(withJunk), LayerTar.digest(tar), fs));
  }

  @Test
  void limitsOnEntriesLayerBytesAndTime() {
    byte[] tar = layer().file("a", "1").file("b", "2").file("c", "3").bytes();
    assertFails("layer-too-many-entries", tar, LayerLimits.defaults().withMaxEntries(2));
    assertFails("layer-too-large", tar, LayerLimits.defaults().withMaxLayerBytes(2000));
    // A clock that jumps a minute on every reading: the second look at it is past the limit.
    Clock jumping =
        new Clock() {
          private Instant now = Instant.EPOCH;

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public synchronized Instant instant() {
            now = now.plusSeconds(60);
            return now;
          }
        };
    LayerApplier slow =
        new LayerApplier(LayerLimits.defaults().withMaxWallTime(Duration.ofSeconds(90)), jumping);
    assertThatCode(
        "layer-timeout", () -> slow.apply(new ByteArrayInputStream(tar), LayerTar.digest(tar), fs));
  }

  @Test
  void gzipBombStopsAtTheLayerLimit() {
    byte[] zeros = new byte[4 << 20];
    byte[] gz = layer().file("bomb", zeros, 0644, 0, 0).gzipped();
    assertThat(gz.length).isLessThan(64 << 10);
    assertFails("layer-too-large", gz, LayerLimits.defaults().withMaxLayerBytes(1 << 20));
  }

  @Test
  void unknownTypeFlagIsRefused() {
    assertFails("layer-unsupported-entry", layer().entry("sock", (byte) 'Z', s -> {}, null));
  }

  // ---- helpers ----

  private void assertThatCode(
      String code, org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    org.assertj.core.api.Assertions.assertThatThrownBy(c)
        .isInstanceOfSatisfying(
            io.thinimage.core.domain.ThinImageException.class,
            e -> assertThat(e.code()).isEqualTo(code));
  }

  /** {@code data[0..at)} + {@code insert} + {@code data[at..)}. */
  protected static byte[] splice(byte[] data, int at, byte[] insert) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(data, 0, at);
    b.write(insert, 0, insert.length);
    b.write(data, at, data.length - at);
    return b.toByteArray();
  }

  /** Unused digest helper kept close to the tests that need a wrong one. */
  protected static BlobDigest wrongDigest() {
    return BlobDigest.sha256("not this layer");
  }
}
