package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.blob.BlobStore;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
  @TempDir Path dir;

  @Test
  void findsEveryKindOfLeftoverRemovesExactlyThemAndThenFindsNothing() throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ImageReference go = new ImageReference("images/go/");
    ProcessResult r = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    assertThat(m.gc(false).findings()).isEmpty();
    BlobStore blobs = new BlobStore(dir);
    var now = w.clock().instant();

    // orphan volume: in the pool, no record
    w.pool().createVolume(VolumeSpec.of(900, 1L << 30));
    // record without volume
    w.repository()
        .inTransaction(
            tx -> {
              tx.insertVolume(
                  new Volume(
                      901,
                      VolumeKind.ACTIVATION,
                      null,
                      null,
                      1L << 30,
                      VolumeState.READY,
                      null,
                      now,
                      now));
              return null;
            });
    // stray partial download
    Files.writeString(blobs.partialPath("run-dead"), "half");
    // unreferenced blob (recorded, file present, no image uses it)
    byte[] lonely = "lonely".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    var md = BlobDigest.newSha256();
    BlobDigest lonelyDigest = BlobDigest.of(md.digest(lonely));
    Files.write(blobs.path(lonelyDigest), lonely);
    w.repository()
        .inTransaction(
            tx -> {
              tx.putBlob(new Blob(lonelyDigest, lonely.length, now));
              return null;
            });
    // a blob file with no record
    Files.writeString(blobs.path(BlobDigest.sha256("stray")), "stray");
    // a corrupted blob of the image's top layer (same size, other bytes)
    var top = r.image().layers().get(2).digest();
    byte[] orig = Files.readAllBytes(blobs.path(top));
    orig[orig.length - 1] ^= 1;
    Files.write(blobs.path(top), orig);

    GcReport dry = m.gc(false);
    assertThat(dry.applied()).isFalse();
    assertThat(dry.findings())
        .extracting(GcReport.Finding::kind)
        .containsExactlyInAnyOrder(
            Kind.ORPHAN_VOLUME,
            Kind.RECORD_WITHOUT_VOLUME,
            Kind.STRAY_PARTIAL,
            Kind.UNREFERENCED_BLOB,
            Kind.BLOB_WITHOUT_RECORD,
            Kind.CORRUPT_BLOB);
    // a dry run changes nothing
    assertThat(m.gc(false).findings()).hasSameSizeAs(dry.findings());

    GcReport forced = m.gc(true);
    assertThat(forced.applied()).isTrue();
    assertThat(forced.findings()).hasSameSizeAs(dry.findings());
    assertThat(m.gc(false).findings()).isEmpty();
    assertThat(w.pool().volumeIds()).doesNotContain(900L);
    assertThat(Files.exists(blobs.path(top))).isFalse();

    // the image still works: its chains are built, so the blob gc dropped is not even needed
    // (ImagePipelineBlobCacheTest: it is downloaded again once a rebuild needs it)
    ProcessResult again = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    assertThat(again.activation().id()).isEqualTo(r.activation().id());
    assertThat(again.blobsDownloaded()).isZero();
    assertThat(again.alreadyDone()).isTrue();
    assertThat(m.gc(false).findings()).isEmpty();
  }

  @Test
  void forceIsRefusedWhileARunIsInFlight() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    w.pool().refuseAllocations("pool 95% full");
    assertThatThrownBy(
            () ->
                m.process(
                    new ImageReference("images/go/"),
                    ProcessOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOf(ThinImageException.class);
    // the run waits for the pool to turn safe: still active
    assertThat(m.status().activeRuns()).isNotEmpty();
    assertThatThrownBy(() -> m.gc(true))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("gc-runs-active"));
    assertThat(m.gc(false).findings()).isNotNull();
    List<String> ops = w.pool().operations();
    assertThat(ops).noneMatch(o -> o.startsWith("delete:"));
  }
}
