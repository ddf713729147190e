package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.api.GcReport.Finding;
import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.testing.ActiveOnlyPool;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc over a pool that lists only active volumes (devicemapper without thin_ls): after a reboot no
 * volume is active, and a record missing from the list is not evidence that its volume is gone. gc
 * reports such records and never forgets them.
 */
class GcWithoutInactiveListingTest {
  @TempDir Path dir;

  @Test
  void recordsOfVolumesThePoolCannotSeeAreReportedNeverForgotten() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ProcessResult r =
        w.manager()
            .process(
                new ImageReference("images/go/"),
                ProcessOptions.defaults(),
                ProgressListener.none());
    w.pool().reboot();
    List<Long> recorded =
        w.repository().read(x -> x.listVolumes()).stream().map(Volume::thinId).toList();
    assertThat(recorded).hasSize(4);

    ImageManager blind =
        ImageManager.builder()
            .repository(w.repository())
            .objectStore(w.objects())
            .pool(new ActiveOnlyPool(w.pool()))
            .rootFilesystems(w.pool().filesystems())
            .blobDirectory(w.blobDirectory())
            .clock(w.clock())
            .config(w.config())
            .resumeOnBuild(false)
            .build();

    GcReport dry = blind.gc(false);
    assertThat(dry.findings())
        .extracting(Finding::kind, Finding::action)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(Kind.RECORD_WITHOUT_VOLUME, "none"));
    assertThat(dry.findings())
        .extracting(Finding::object)
        .containsExactlyInAnyOrderElementsOf(recorded.stream().map(VolumeSpec::nameFor).toList());

    blind.gc(true);
    List<Volume> kept = w.repository().read(x -> x.listVolumes());
    assertThat(kept).extracting(Volume::thinId).containsExactlyInAnyOrderElementsOf(recorded);
    assertThat(w.repository().read(x -> x.findImage(r.image().id())).orElseThrow().state())
        .isEqualTo(ImageState.READY);
    assertThat(w.pool().volumeIds()).containsExactlyInAnyOrderElementsOf(recorded);
    // with the full view, there is nothing to collect
    assertThat(w.manager().gc(false).findings()).isEmpty();
  }
}
