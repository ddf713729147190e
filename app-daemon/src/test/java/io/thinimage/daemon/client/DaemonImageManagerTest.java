package io.thinimage.daemon.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.api.GcReport;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.api.StatusReport;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.testing.FakeWorld;
import io.thinimage.core.testing.TarLayers;
import io.thinimage.daemon.DaemonOptions;
import io.thinimage.daemon.ThinimageDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's manager seen through its socket answers as the manager itself does: every method of
 * {@link ImageManager}, over a real server, compared with the local manager behind it.
 */
class DaemonImageManagerTest {
  @TempDir Path tmp;
  private FakeWorld world;
  private ImageManager local;
  private ThinimageDaemon daemon;
  private DaemonImageManager remote;

  @BeforeEach
  void start() {
    world = new FakeWorld(tmp.resolve("blobs"));
    world.objects().put("images/app/1.tar", TarLayers.layer().file("etc/motd", "hi\n").build());
    world.objects().put("images/app/2.tar", TarLayers.layer().file("etc/app", "v2\n").build());
    local = world.manager();
    Path socket = tmp.resolve("d.sock");
    daemon = ThinimageDaemon.start(DaemonOptions.of(socket, 0), local, Optional.empty());
    remote = new DaemonImageManager(new DaemonClient(socket), Duration.ofMillis(10));
  }

  @AfterEach
  void stop() {
    daemon.close();
    local.close();
  }

  @Test
  void processThroughTheDaemonReturnsWhatALocalCallWould() {
    ImageReference app = new ImageReference("images/app/");
    ProcessResult first = remote.process(app, ProcessOptions.defaults(), ProgressListener.none());

    assertThat(first.alreadyDone()).isFalse();
    assertThat(first.blobsDownloaded()).isEqualTo(2);
    assertThat(first.image()).isEqualTo(local.findImage(first.image().id()).orElseThrow());
    assertThat(first.activation().state()).isEqualTo(ActivationState.ACTIVE);

    ProcessResult again = remote.process(app, ProcessOptions.defaults(), ProgressListener.none());
    assertThat(again.alreadyDone()).isTrue();
    assertThat(again.activation()).isEqualTo(first.activation());
    assertThat(remote.result(again.runId())).isEqualTo(again);
  }

  @Test
  void readsMatchTheLocalManager() {
    ProcessResult r =
        remote.process(
            new ImageReference("images/app/"), ProcessOptions.defaults(), ProgressListener.none());

    assertThat(remote.listImages()).isEqualTo(local.listImages());
    assertThat(remote.listActivations()).isEqualTo(local.listActivations());
    assertThat(remote.findImage(r.image().id())).isEqualTo(local.findImage(r.image().id()));
    assertThat(remote.findImage("img-nope")).isEmpty();
    assertThat(remote.findRun(r.runId())).isEqualTo(local.findRun(r.runId()));
    assertThat(remote.findRun("nope")).isEmpty();
    assertThat(remote.history(r.runId())).isEqualTo(local.history(r.runId()));
    assertThat(remote.recentRuns(5)).isEqualTo(local.recentRuns(5));
    StatusReport status = remote.status();
    assertThat(status.counts()).isEqualTo(local.status().counts());
    assertThat(status.objectStore()).isEqualTo(local.status().objectStore());
  }

  @Test
  void mutationsGoThroughTheDaemon() {
    ProcessResult r =
        remote.process(
            new ImageReference("images/app/"), ProcessOptions.defaults(), ProgressListener.none());
    String imageId = r.image().id();

    var second = remote.activate(imageId);
    assertThat(local.listActivations()).extracting(a -> a.id()).contains(second.id());
    assertThat(remote.deactivate(second.id()).state()).isEqualTo(ActivationState.INACTIVE);

    GcReport dry = remote.gc(false);
    assertThat(dry).isEqualTo(local.gc(false));
    // the retention travels too: a day later the live activations still hold the image, so
    // only its cached blobs expire
    var retention = io.thinimage.core.api.GcOptions.of(false).withUnusedFor(Duration.ofHours(1));
    world.clock().advance(Duration.ofDays(1));
    GcReport expired = remote.gc(retention);
    assertThat(expired).isEqualTo(local.gc(retention));
    assertThat(expired.findings())
        .extracting(GcReport.Finding::kind)
        .isNotEmpty()
        .containsOnly(GcReport.Kind.EXPIRED_BLOB);

    assertThatThrownBy(() -> remote.deleteImage(imageId))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
    remote.deactivate(r.activation().id());
    remote.deleteImage(imageId);
    assertThat(local.listImages()).isEmpty();
  }

  @Test
  void aFailedRunSurfacesWithItsOwnKindAndCode() {
    assertThatThrownBy(
            () ->
                remote.process(
                    new ImageReference("images/absent/"),
                    ProcessOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
              assertThat(e.code()).isNotBlank();
            });
  }
}
