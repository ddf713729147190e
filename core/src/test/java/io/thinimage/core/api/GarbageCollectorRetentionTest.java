package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.api.GcReport.Finding;
import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.blob.BlobStore;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gc with a retention: images and cached blobs unused for longer than it. */
class GarbageCollectorRetentionTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);
  private static final ProcessOptions NO_ACTIVATION = new ProcessOptions(false, false);

  @TempDir Path dir;

  private final ImageReference go = new ImageReference("images/go/");
  private final ImageReference node = new ImageReference("images/node/");

  private static GcOptions dryRun(Duration d) {
    return GcOptions.of(false).withUnusedFor(d);
  }

  private static GcOptions force(Duration d) {
    return GcOptions.of(true).withUnusedFor(d);
  }

  private static List<Kind> kinds(GcReport r) {
    return r.findings().stream().map(Finding::kind).toList();
  }

  private static List<Finding> of(GcReport r, Kind kind) {
    return r.findings().stream().filter(f -> f.kind() == kind).toList();
  }

  @Test
  void anImageExpiresOnlyOnceItsLastUseIsOlderThanTheRetention() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image image = m.process(go, NO_ACTIVATION, ProgressListener.none()).image();

    w.clock().advance(TEN_DAYS.minusSeconds(1));
    assertThat(m.gc(dryRun(TEN_DAYS)).findings()).isEmpty();
    w.clock().advance(Duration.ofSeconds(1)); // exactly at the cut-off: still kept
    assertThat(m.gc(dryRun(TEN_DAYS)).findings()).isEmpty();
    w.clock().advance(Duration.ofMillis(1));
    assertThat(of(m.gc(dryRun(TEN_DAYS)), Kind.EXPIRED_IMAGE))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.object()).isEqualTo(image.id());
              assertThat(f.action()).isEqualTo("delete image");
              assertThat(f.detail()).contains("images/go/").contains("READY");
            });
    // without a retention nothing expires
    assertThat(m.gc(false).findings()).isEmpty();
  }

  @Test
  void anImageWithALiveActivationNeverExpires() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    w.clock().advance(Duration.ofDays(400));

    GcReport r = m.gc(force(Duration.ofDays(1)));

    assertThat(kinds(r)).doesNotContain(Kind.EXPIRED_IMAGE, Kind.UNREFERENCED_VOLUME);
    assertThat(m.listImages()).hasSize(1);
    assertThat(m.listActivations()).singleElement().satisfies(a -> assertThat(a.isLive()).isTrue());
  }

  @Test
  void anImageWhoseActivationWasUsedRecentlyDoesNotExpire() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ProcessResult r = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    w.clock().advance(Duration.ofDays(20));
    m.deactivate(r.activation().id()); // the activation's last change: day 20
    w.clock().advance(Duration.ofDays(5));

    assertThat(kinds(m.gc(dryRun(TEN_DAYS)))).doesNotContain(Kind.EXPIRED_IMAGE);
    w.clock().advance(Duration.ofDays(6)); // day 31: eleven days after the last use
    assertThat(of(m.gc(dryRun(TEN_DAYS)), Kind.EXPIRED_IMAGE)).hasSize(1);
  }

  @Test
  void forceRemovesExactlyTheExpiredImageAndWhatOnlyItUsedAndASecondRunFindsNothing()
      throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image goImage = m.process(go, NO_ACTIVATION, ProgressListener.none()).image();
    w.clock().advance(Duration.ofDays(20));
    Image nodeImage = m.process(node, NO_ACTIVATION, ProgressListener.none()).image();
    w.clock().advance(Duration.ofDays(5));
    BlobDigest goApp = goImage.layers().get(2).digest();
    BlobDigest nodeApp = nodeImage.layers().get(2).digest();
    Volume goTop = w.repository().read(r -> r.findChainVolume(goImage.topChain())).orElseThrow();
    List<Long> poolBefore = w.pool().volumeIds();
    int imagesBefore = m.listImages().size();

    GcReport dry = m.gc(dryRun(TEN_DAYS));

    // the expired image, the chain volume and blob only it used, and the shared base blobs that
    // are now only a cache of the ready node image (stored on day 0)
    assertThat(kinds(dry))
        .containsExactlyInAnyOrder(
            Kind.EXPIRED_IMAGE,
            Kind.UNREFERENCED_VOLUME,
            Kind.UNREFERENCED_BLOB,
            Kind.EXPIRED_BLOB,
            Kind.EXPIRED_BLOB);
    assertThat(of(dry, Kind.EXPIRED_IMAGE).get(0).object()).isEqualTo(goImage.id());
    assertThat(of(dry, Kind.UNREFERENCED_VOLUME).get(0).object()).isEqualTo(goTop.name());
    assertThat(of(dry, Kind.UNREFERENCED_VOLUME).get(0).detail()).contains(goImage.id());
    assertThat(of(dry, Kind.UNREFERENCED_BLOB).get(0).object()).endsWith(goApp.hex());
    assertThat(of(dry, Kind.UNREFERENCED_BLOB).get(0).detail()).contains(goImage.id());
    assertThat(of(dry, Kind.EXPIRED_BLOB))
        .extracting(Finding::object)
        .containsExactlyInAnyOrder(
            blobPath(w, goImage.layers().get(0).digest()),
            blobPath(w, goImage.layers().get(1).digest()));
    // a dry run changes nothing
    assertThat(m.listImages()).hasSize(imagesBefore);
    assertThat(w.pool().volumeIds()).isEqualTo(poolBefore);
    assertThat(m.gc(dryRun(TEN_DAYS)).findings()).isEqualTo(dry.findings());

    GcReport forced = m.gc(force(TEN_DAYS));

    assertThat(forced.applied()).isTrue();
    assertThat(forced.findings()).isEqualTo(dry.findings());
    assertThat(m.listImages()).extracting(Image::id).containsExactly(nodeImage.id());
    assertThat(w.pool().volumeIds())
        .containsExactlyInAnyOrderElementsOf(
            poolBefore.stream().filter(id -> id != goTop.thinId()).toList());
    List<Blob> blobs = w.repository().read(r -> r.listBlobs());
    assertThat(blobs).extracting(Blob::digest).containsExactly(nodeApp);
    try (var files = Files.list(dir.resolve("sha256"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactly(nodeApp.hex());
    }
    assertThat(m.gc(dryRun(TEN_DAYS)).findings()).isEmpty();
    assertThat(m.gc(false).findings()).isEmpty();

    // the image that stayed still works without its dropped blobs
    ProcessResult again = m.process(node, NO_ACTIVATION, ProgressListener.none());
    assertThat(again.alreadyDone()).isTrue();
    assertThat(again.blobsDownloaded()).isZero();
  }

  @Test
  void aBlobExpiresOnlyWhenEveryImageReferencingItIsReady() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image goImage = m.process(go, ProcessOptions.defaults(), ProgressListener.none()).image();
    Image nodeImage = m.process(node, ProcessOptions.defaults(), ProgressListener.none()).image();
    w.clock().advance(Duration.ofDays(30));
    setState(w, nodeImage.id(), ImageState.PENDING);

    // node is pending: its blobs (the shared base ones too) may be needed to build it
    assertThat(of(m.gc(dryRun(TEN_DAYS)), Kind.EXPIRED_BLOB))
        .extracting(Finding::object)
        .containsExactly(blobPath(w, goImage.layers().get(2).digest()));
    setState(w, nodeImage.id(), ImageState.FAILED);
    assertThat(of(m.gc(dryRun(TEN_DAYS)), Kind.EXPIRED_BLOB)).hasSize(1);

    setState(w, nodeImage.id(), ImageState.READY);
    assertThat(of(m.gc(dryRun(TEN_DAYS)), Kind.EXPIRED_BLOB)).hasSize(4);
    // blobs stored more recently than the cut-off stay
    assertThat(of(m.gc(dryRun(Duration.ofDays(31))), Kind.EXPIRED_BLOB)).isEmpty();
  }

  @Test
  void aBlobWhoseChainVolumeIsMissingDoesNotExpire() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image goImage = m.process(go, ProcessOptions.defaults(), ProgressListener.none()).image();
    w.clock().advance(Duration.ofDays(30));
    Volume top = w.repository().read(r -> r.findChainVolume(goImage.topChain())).orElseThrow();
    w.repository()
        .inTransaction(
            tx -> {
              tx.deleteVolume(top.thinId());
              return null;
            });

    assertThat(of(m.gc(dryRun(TEN_DAYS)), Kind.EXPIRED_BLOB))
        .extracting(Finding::object)
        .doesNotContain(blobPath(w, goImage.layers().get(2).digest()))
        .hasSize(2);
  }

  @Test
  void droppedBlobsAreDownloadedAgainWhenALostChainIsRebuilt() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image goImage = m.process(go, ProcessOptions.defaults(), ProgressListener.none()).image();
    w.clock().advance(Duration.ofDays(30));
    assertThat(kinds(m.gc(force(TEN_DAYS))))
        .containsExactly(Kind.EXPIRED_BLOB, Kind.EXPIRED_BLOB, Kind.EXPIRED_BLOB);
    assertThat(m.process(go, ProcessOptions.defaults(), ProgressListener.none()).alreadyDone())
        .isTrue();

    Volume top = w.repository().read(r -> r.findChainVolume(goImage.topChain())).orElseThrow();
    w.pool().delete(top.spec());
    assertThat(kinds(m.gc(true))).containsExactly(Kind.RECORD_WITHOUT_VOLUME);
    ProcessResult rebuilt = m.process(go, ProcessOptions.defaults(), ProgressListener.none());

    assertThat(rebuilt.image().state()).isEqualTo(ImageState.READY);
    assertThat(rebuilt.blobsDownloaded()).isEqualTo(1);
    assertThat(rebuilt.volumesBuilt()).isEqualTo(1);
    // downloaded just now: not expired any more
    assertThat(m.gc(dryRun(TEN_DAYS)).findings()).isEmpty();
  }

  @Test
  void anImageBeingProcessedNeverExpires() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image goImage = m.process(go, NO_ACTIVATION, ProgressListener.none()).image();
    w.pool().refuseAllocations("pool 95% full");
    assertThatThrownBy(() -> m.process(node, NO_ACTIVATION, ProgressListener.none()))
        .isInstanceOf(ThinImageException.class);
    assertThat(m.status().activeRuns()).isNotEmpty();
    w.clock().advance(Duration.ofDays(30));

    GcReport dry = m.gc(dryRun(TEN_DAYS));

    assertThat(of(dry, Kind.EXPIRED_IMAGE))
        .extracting(Finding::object)
        .containsExactly(goImage.id());
    // the shared blobs are needed by the node image still being processed
    assertThat(of(dry, Kind.EXPIRED_BLOB)).isEmpty();
    assertThatThrownBy(() -> m.gc(force(TEN_DAYS)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("gc-runs-active"));
    assertThat(m.listImages()).hasSize(2);
  }

  @Test
  void aMountedChainVolumeOfAnExpiredImageIsNeverTouched() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Image goImage = m.process(go, NO_ACTIVATION, ProgressListener.none()).image();
    Volume top = w.repository().read(r -> r.findChainVolume(goImage.topChain())).orElseThrow();
    w.pool().mount(top.spec());
    w.clock().advance(Duration.ofDays(30));

    GcReport forced = m.gc(force(TEN_DAYS));

    assertThat(of(forced, Kind.MOUNTED_SKIPPED))
        .extracting(Finding::object)
        .containsExactly(top.name());
    assertThat(of(forced, Kind.UNREFERENCED_VOLUME)).hasSize(2);
    assertThat(w.pool().volumeIds()).containsExactly(top.thinId());
    assertThat(w.pool().operations()).doesNotContain("delete:" + VolumeSpec.nameFor(top.thinId()));
  }

  @Test
  void aRetentionMustBePositive() {
    assertThatThrownBy(() -> GcOptions.of(false).withUnusedFor(Duration.ZERO))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("bad-retention"));
    assertThatThrownBy(() -> new GcOptions(true, Optional.of(Duration.ofDays(-1))))
        .isInstanceOf(ThinImageException.class);
    assertThatThrownBy(() -> GcOptions.of(true).withUnusedFor(Duration.ofDays(36_501)))
        .isInstanceOf(ThinImageException.class);
    assertThat(GcOptions.of(true).withUnusedFor(GcOptions.MAX_RETENTION).unusedFor()).isPresent();
  }

  private static void setState(FakeWorld w, String imageId, ImageState state) {
    w.repository()
        .inTransaction(
            tx -> {
              Image i = tx.findImage(imageId).orElseThrow();
              tx.putImage(i.withState(state, null, null, w.clock().instant()));
              return null;
            });
  }

  private static String blobPath(FakeWorld w, BlobDigest d) {
    return new BlobStore(w.blobDirectory()).path(d).toString();
  }
}
