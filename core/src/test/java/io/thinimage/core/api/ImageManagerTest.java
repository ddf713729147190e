package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.testing.FakeWorld;
import io.thinimage.core.testing.TarLayers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageManagerTest {
  @TempDir Path dir;

  @Test
  void processesAFamilyIntoOneVolumePerChainAndActivatesIt() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();

    ProcessResult r =
        m.process(
            new ImageReference("images/go/"), ProcessOptions.defaults(), ProgressListener.none());

    assertThat(r.image().state()).isEqualTo(ImageState.READY);
    assertThat(r.image().layers()).hasSize(3);
    assertThat(r.blobsDownloaded()).isEqualTo(3);
    assertThat(r.volumesBuilt()).isEqualTo(3);
    assertThat(r.alreadyDone()).isFalse();
    assertThat(r.activation().state()).isEqualTo(ActivationState.ACTIVE);
    assertThat(r.activation().devicePath()).startsWith("/dev/fake/");
    // 3 chain volumes + 1 activation snapshot, each with its record.
    assertThat(w.pool().volumeIds()).hasSize(4);
    assertThat(w.repository().read(RepositoryReader::listVolumes)).hasSize(4);
    // The activation sees every layer applied in order, whiteout honoured.
    var fs = w.pool().filesystem(r.activation().thinId()).describe();
    assertThat(fs).containsKeys("usr/local/go/VERSION", "usr/lib/libtool.so.1", "etc/os-release");
    assertThat(fs).doesNotContainKey("tmp/scratch");
  }

  @Test
  void aRerunDownloadsNothingBuildsNothingAndReturnsTheSameActivation() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ImageReference go = new ImageReference("images/go/");
    ProcessResult first = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    int gets = w.objects().getCount();
    List<String> poolOps = w.pool().operations();

    ProcessResult again = m.process(go, ProcessOptions.defaults(), ProgressListener.none());

    assertThat(again.alreadyDone()).isTrue();
    assertThat(again.activation().id()).isEqualTo(first.activation().id());
    assertThat(w.objects().getCount()).isEqualTo(gets);
    assertThat(w.pool().operations()).isEqualTo(poolOps);
  }

  @Test
  void newActivationMakesASecondSnapshot() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ImageReference go = new ImageReference("images/go/");
    ProcessResult first = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    ProcessResult second = m.process(go, new ProcessOptions(true, true), ProgressListener.none());
    assertThat(second.activation().id()).isNotEqualTo(first.activation().id());
    assertThat(m.listActivations()).hasSize(2);
  }

  @Test
  void familiesSharingBaseLayersShareBlobsAndVolumes() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    m.process(new ImageReference("images/go/"), ProcessOptions.defaults(), ProgressListener.none());
    ProcessResult node =
        m.process(
            new ImageReference("images/node/"), ProcessOptions.defaults(), ProgressListener.none());

    // node's layers 1-2 are byte-identical to go's: stored once, and their chain volumes reused.
    assertThat(w.repository().read(RepositoryReader::listBlobs)).hasSize(4);
    assertThat(node.volumesBuilt()).isEqualTo(1);
    // ... and not even fetched again: same ETag and size in the same store is the same content.
    assertThat(w.objects().getCount()).isEqualTo(4);
    assertThat(node.blobsDownloaded()).isEqualTo(1);
    long chains =
        w.repository().read(RepositoryReader::listVolumes).stream()
            .filter(v -> v.kind() == VolumeKind.CHAIN)
            .count();
    assertThat(chains).isEqualTo(4);
  }

  @Test
  void tenThreadsProcessingOneImageMakeOneRunAndOneActivation() throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<ProcessResult>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        futures.add(
            pool.submit(
                () ->
                    m.process(
                        new ImageReference("images/go/"),
                        ProcessOptions.defaults(),
                        ProgressListener.none())));
      }
      for (Future<ProcessResult> f : futures) {
        assertThat(f.get().image().state()).isEqualTo(ImageState.READY);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(m.listActivations()).hasSize(1);
    assertThat(w.pool().volumeIds()).hasSize(4);
    assertThat(w.objects().getCount()).isEqualTo(3);
  }

  @Test
  void aHostileLayerFailsWithInvalidInputAndLeavesNoVolumeBehind() {
    FakeWorld w = new FakeWorld(dir);
    w.objects().put("images/evil/1.tar", TarLayers.layer().file("../escape", "x").build());
    ImageManager m = w.manager();

    assertThatThrownBy(
            () ->
                m.process(
                    new ImageReference("images/evil/"),
                    ProcessOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT));

    assertThat(w.pool().volumeIds()).isEmpty();
    assertThat(w.repository().read(RepositoryReader::listVolumes)).isEmpty();
    var image = m.listImages().get(0);
    assertThat(image.state()).isEqualTo(ImageState.FAILED);
    assertThat(image.failureCode()).startsWith("layer-");
    assertThat(m.status().recentFailures()).isNotEmpty();
    assertThat(m.recentRuns(20))
        .filteredOn(r -> r.type().equals("unpack"))
        .allMatch(r -> r.status() == RunStatus.FAILED);
  }

  @Test
  void aMissingKeyIsNotFound() {
    FakeWorld w = new FakeWorld(dir);
    ImageManager m = w.manager();
    assertThatThrownBy(
            () ->
                m.process(
                    new ImageReference("images/none/1.tar"),
                    ProcessOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void deleteIsRefusedWhileActivationsLiveAndWorksAfterDeactivate() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    ProcessResult r =
        m.process(
            new ImageReference("images/go/"), ProcessOptions.defaults(), ProgressListener.none());
    assertThatThrownBy(() -> m.deleteImage(r.image().id()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("image-has-activations"));

    var off = m.deactivate(r.activation().id());
    assertThat(off.state()).isEqualTo(ActivationState.INACTIVE);
    assertThat(w.pool().volumeIds()).hasSize(3);
    // deactivating again is a no-op
    assertThat(m.deactivate(r.activation().id()).state()).isEqualTo(ActivationState.INACTIVE);
    m.deleteImage(r.image().id());
    assertThat(m.listImages()).isEmpty();
  }

  @Test
  void submitReturnsTheDurableRunAtOnceAndFinishesInTheBackground() throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    var run = m.submit(new ImageReference("images/go/"), ProcessOptions.defaults());
    var again = m.submit(new ImageReference("images/go/"), ProcessOptions.defaults());
    assertThat(again.id()).isEqualTo(run.id());
    for (int i = 0;
        i < 500 && m.findRun(run.id()).orElseThrow().status() == RunStatus.ACTIVE;
        i++) {
      Thread.sleep(10);
    }
    assertThat(m.findRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(m.listActivations()).hasSize(1);
    m.close();
  }

  @Test
  void anUnsafeHostDelaysPoolWorkUntilItTurnsSafe() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    var checks = new java.util.concurrent.atomic.AtomicInteger();
    w.health(
        () ->
            checks.incrementAndGet() <= 3
                ? new io.thinimage.core.port.HealthProbe.HealthReport(
                    List.of(
                        new io.thinimage.core.port.HealthProbe.Check(
                            "tasks.dstate",
                            "4",
                            io.thinimage.core.port.HealthProbe.Verdict.UNSAFE,
                            "> 0")))
                : io.thinimage.core.port.HealthProbe.HealthReport.healthy());
    ImageManager m = w.manager();
    ProcessResult r =
        m.process(
            new ImageReference("images/go/"), ProcessOptions.defaults(), ProgressListener.none());
    assertThat(r.image().state()).isEqualTo(ImageState.READY);
    assertThat(checks.get()).isGreaterThan(3);
    var waits =
        m.recentRuns(50).stream()
            .flatMap(run -> m.history(run.id()).stream())
            .filter(t -> t.event().equals("WAIT"))
            .toList();
    assertThat(waits).hasSize(3).allMatch(t -> "unsafe-system".equals(t.errorCode()));
  }

  @Test
  void anUnsafeHostThatStaysUnsafeGivesUnsafeAndKeepsTheRunResumable() {
    FakeWorld w = Scenarios.twoFamilies(dir);
    w.health(
        () ->
            new io.thinimage.core.port.HealthProbe.HealthReport(
                List.of(
                    new io.thinimage.core.port.HealthProbe.Check(
                        "pool.data",
                        "97%",
                        io.thinimage.core.port.HealthProbe.Verdict.UNSAFE,
                        "> 90%"))));
    ImageManager m = w.manager();
    assertThatThrownBy(
            () ->
                m.process(
                    new ImageReference("images/go/"),
                    ProcessOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE);
              assertThat(e.kind().exitCode()).isEqualTo(5);
              assertThat(e.getMessage()).contains("pool.data=97%");
            });
    w.health(io.thinimage.core.port.HealthProbe.HealthReport::healthy);
    ImageManager restarted = w.manager(); // resumes the parked run
    assertThat(restarted.listImages().get(0).state()).isEqualTo(ImageState.READY);
    assertThat(restarted.listActivations()).hasSize(1);
  }
}
