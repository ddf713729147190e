package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.blob.BlobStore;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once an image's chains are built its blobs are only a cache: the pipeline must not need them
 * while the chains stand, and must download them again (the record is gone too) when a chain has to
 * be rebuilt.
 */
class ImagePipelineBlobCacheTest {
  @TempDir Path dir;

  private final ImageReference go = new ImageReference("images/go/");

  /** Drops a blob's record and file, as gc does. */
  private static void dropBlob(FakeWorld w, BlobDigest d) {
    w.repository()
        .inTransaction(
            tx -> {
              tx.deleteBlob(d);
              return null;
            });
    new BlobStore(w.blobDirectory()).delete(d);
  }

  @Test
  void reprocessingAReadyImageWhoseBlobsWereDroppedDownloadsNothing() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ProcessResult first = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    first.image().layers().stream().map(ImageLayer::digest).forEach(d -> dropBlob(w, d));
    int gets = w.objects().getCount();

    ProcessResult again = m.process(go, ProcessOptions.defaults(), ProgressListener.none());

    assertThat(again.alreadyDone()).isTrue();
    assertThat(again.blobsDownloaded()).isZero();
    assertThat(again.volumesBuilt()).isZero();
    assertThat(w.objects().getCount()).isEqualTo(gets);
    assertThat(again.image().state()).isEqualTo(ImageState.READY);
    java.util.List<io.thinimage.core.domain.Blob> blobs = w.repository().read(r -> r.listBlobs());
    assertThat(blobs).isEmpty();
  }

  @Test
  void aLostChainIsRebuiltFromABlobDownloadedAgain() throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ProcessResult first = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    BlobDigest top = first.image().layers().get(2).digest();
    dropBlob(w, top);
    // the top chain's volume is lost; gc forgets its record and sets the image PENDING
    Volume chain =
        w.repository().read(r -> r.findChainVolume(first.image().topChain())).orElseThrow();
    w.pool().delete(chain.spec());
    assertThat(m.gc(true).findings())
        .extracting(GcReport.Finding::kind)
        .containsExactly(Kind.RECORD_WITHOUT_VOLUME);
    assertThat(m.findImage(first.image().id()).orElseThrow().state()).isEqualTo(ImageState.PENDING);

    ProcessResult again = m.process(go, ProcessOptions.defaults(), ProgressListener.none());

    assertThat(again.image().state()).isEqualTo(ImageState.READY);
    assertThat(again.blobsDownloaded()).isEqualTo(1);
    assertThat(again.volumesBuilt()).isEqualTo(1);
    java.util.Optional<io.thinimage.core.domain.Blob> blob =
        w.repository().read(r -> r.findBlob(top));
    assertThat(blob).isPresent();
    assertThat(Files.exists(new BlobStore(w.blobDirectory()).path(top))).isTrue();
    java.util.Optional<Volume> rebuilt =
        w.repository().read(r -> r.findChainVolume(first.image().topChain()));
    assertThat(rebuilt).isPresent();
    assertThat(m.gc(false).findings()).isEmpty();
  }
}
