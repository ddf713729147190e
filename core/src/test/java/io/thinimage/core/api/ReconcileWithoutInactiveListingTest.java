package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import io.thinimage.core.testing.ActiveOnlyPool;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconcile after a reboot over a pool that lists only active volumes (devicemapper without
 * thin_ls): no volume is visible, which proves nothing. Records stay READY, and the live snapshot's
 * device is brought back by trying.
 */
class ReconcileWithoutInactiveListingTest {
  @TempDir Path dir;

  @Test
  void aRebootKeepsEveryVolumeAndBringsTheSnapshotBack() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ProcessResult r =
        w.manager()
            .process(
                new ImageReference("images/go/"),
                ProcessOptions.defaults(),
                ProgressListener.none());
    w.pool().reboot();

    try (ImageManager restarted =
        ImageManager.builder()
            .repository(w.repository())
            .objectStore(w.objects())
            .pool(new ActiveOnlyPool(w.pool()))
            .rootFilesystems(w.pool().filesystems())
            .blobDirectory(w.blobDirectory())
            .clock(w.clock())
            .config(w.config())
            .resumeOnBuild(true) // reconciles
            .build()) {
      List<Volume> volumes = w.repository().read(x -> x.listVolumes());
      assertThat(volumes).extracting(Volume::state).containsOnly(VolumeState.READY);
      assertThat(restarted.findImage(r.image().id()).orElseThrow().state())
          .isEqualTo(ImageState.READY);
      assertThat(w.pool().list())
          .filteredOn(v -> v.thinId() == r.activation().thinId())
          .extracting(PoolVolume::active)
          .containsExactly(true);
      // and a re-run is still a no-op that returns the same snapshot
      ProcessResult again =
          restarted.process(
              new ImageReference("images/go/"), ProcessOptions.defaults(), ProgressListener.none());
      assertThat(again.alreadyDone()).isTrue();
      assertThat(again.activation().id()).isEqualTo(r.activation().id());
    }
  }
}
