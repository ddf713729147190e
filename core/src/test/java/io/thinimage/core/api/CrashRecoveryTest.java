package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.blob.BlobStore;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.CrashPoints;
import io.thinimage.core.engine.CrashPoints.SimulatedCrash;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.testing.FakeWorld;
import io.thinimage.core.testing.TarLayers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops the engine at every crash point of a complete scenario — every step boundary, and between
 * every external effect and its commit — as a {@code kill -9} would, restarts over what the store,
 * the bucket and the pool kept, and checks that the result is the same as a run with no crash, with
 * no volume, blob or partial file that no record owns.
 */
class CrashRecoveryTest {
  @TempDir Path tmp;

  /** Crashes at the k-th crash point reached (1-based); records every point's name. */
  static final class CrashAt implements CrashPoints {
    final int k;
    final AtomicInteger seen = new AtomicInteger();
    final List<String> names = new ArrayList<>();
    String crashedAt;
    final Map<Integer, Integer> ends = new TreeMap<>();

    CrashAt(int k) {
      this.k = k;
    }

    @Override
    public synchronized void reached(String point) {
      names.add(point);
      if (seen.incrementAndGet() == k) {
        crashedAt = point;
        throw new SimulatedCrash(point);
      }
    }
  }

  private static final ImageReference GO = new ImageReference("images/go/");
  private static final ImageReference NODE = new ImageReference("images/node/");

  /**
   * The scenario in three commands: process two families sharing base layers, then deactivate the
   * first family's activation. {@code from} is the first command to run (1-based): after a crash
   * the operator re-runs the command that was interrupted and those after it.
   */
  private static void scenario(ImageManager m, int from, CrashAt marks) {
    if (from <= 1) {
      m.process(GO, ProcessOptions.defaults(), ProgressListener.none());
      mark(marks, 1);
    }
    if (from <= 2) {
      m.process(NODE, ProcessOptions.defaults(), ProgressListener.none());
      mark(marks, 2);
    }
    if (from <= 3) {
      String goImage = Image.idFor("fake://bucket", GO);
      for (var a : m.listActivations()) {
        if (a.imageId().equals(goImage)) {
          m.deactivate(a.id()); // idempotent for an already deactivated one
        }
      }
      mark(marks, 3);
    }
  }

  private static void mark(CrashAt marks, int command) {
    if (marks != null) {
      marks.ends.put(command, marks.seen.get());
    }
  }

  /** What must hold after recovery, independent of ids. */
  private static Map<String, Object> endState(FakeWorld w, ImageManager m) throws IOException {
    var out = new TreeMap<String, Object>();
    for (var image : m.listImages()) {
      out.put("image " + image.reference(), image.state() + " layers=" + image.layers().size());
    }
    List<Volume> volumes = w.repository().read(RepositoryReader::listVolumes);
    out.put("volumes", volumes.stream().map(v -> v.kind() + ":" + v.state()).sorted().toList());
    out.put(
        "activations", m.listActivations().stream().map(a -> a.state().name()).sorted().toList());
    out.put("blobs", w.repository().read(RepositoryReader::listBlobs).size());
    out.put("activeRuns", w.repository().read(RepositoryReader::listActiveRuns).size());
    var trees = new ArrayList<String>();
    for (var a : m.listActivations()) {
      if (a.state() == ActivationState.ACTIVE) {
        trees.add(w.pool().filesystem(a.thinId()).describe().toString());
      }
    }
    out.put("activeTrees", trees);
    return out;
  }

  /** Invariants that hold whatever the crash: every object has one owner and vice versa. */
  private static void assertNoOrphans(FakeWorld w) throws IOException {
    List<Long> rows =
        w.repository().read(RepositoryReader::listVolumes).stream()
            .map(Volume::thinId)
            .sorted()
            .toList();
    assertThat(w.pool().volumeIds()).as("pool volumes == volume records").isEqualTo(rows);
    assertThat(w.repository().read(RepositoryReader::listVolumes))
        .allMatch(v -> v.state() == VolumeState.READY);
    BlobStore blobs = new BlobStore(w.blobDirectory());
    assertThat(blobs.partialFiles()).as("no partial downloads left").isEmpty();
    List<Blob> recorded = w.repository().read(RepositoryReader::listBlobs);
    assertThat(blobs.storedFiles()).hasSameSizeAs(recorded);
    for (Blob b : recorded) {
      try (InputStream in = Files.newInputStream(blobs.path(b.digest()))) {
        var md = BlobDigest.newSha256();
        md.update(in.readAllBytes());
        assertThat(BlobDigest.of(md.digest())).isEqualTo(b.digest());
      }
    }
  }

  @Test
  void everyCrashPointOfTheScenarioRecoversToTheSameEndState() throws Exception {
    FakeWorld baselineWorld = Scenarios.twoFamilies(tmp.resolve("baseline"));
    CrashAt discover = new CrashAt(Integer.MAX_VALUE);
    ImageManager baseline = baselineWorld.manager(discover);
    scenario(baseline, 1, discover);
    Map<String, Object> expected = endState(baselineWorld, baseline);
    assertNoOrphans(baselineWorld);
    int points = discover.seen.get();
    assertThat(points).isGreaterThan(100);

    var distinct = new java.util.TreeSet<String>();
    for (int k = 1; k <= points; k++) {
      FakeWorld w = Scenarios.twoFamilies(tmp.resolve("k" + k));
      CrashAt crash = new CrashAt(k);
      ImageManager dying = w.manager(crash);
      assertThatThrownBy(() -> scenario(dying, 1, null)).isInstanceOf(SimulatedCrash.class);
      distinct.add(crash.crashedAt);

      // Restart: reconcile and resume happen in build(); then the operator re-runs the command.
      ImageManager restarted = w.manager();
      int interrupted = 1;
      while (discover.ends.get(interrupted) < k) {
        interrupted++;
      }
      scenario(restarted, interrupted, null);

      assertThat(endState(w, restarted))
          .as("end state after a crash at " + crash.crashedAt)
          .isEqualTo(expected);
      assertNoOrphans(w);
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(
        Path.of("target", "crash-points.txt"),
        "crash points exercised: "
            + points
            + " (distinct names: "
            + distinct.size()
            + ")\n"
            + String.join("\n", distinct)
            + "\n");
  }

  @Test
  void aCrashDuringCompensationStillCompensatesExactlyOnce() throws Exception {
    byte[] evil = TarLayers.layer().file("ok", "fine").file("../escape", "x").build();
    FakeWorld probe = new FakeWorld(tmp.resolve("probe"));
    probe.objects().put("images/evil/1.tar", Scenarios.BASE);
    probe.objects().put("images/evil/2.tar", evil);
    CrashAt discover = new CrashAt(Integer.MAX_VALUE);
    ImageReference ref = new ImageReference("images/evil/");
    assertThatThrownBy(
            () ->
                probe
                    .manager(discover)
                    .process(ref, ProcessOptions.defaults(), ProgressListener.none()))
        .isInstanceOf(ThinImageException.class);
    List<Integer> compensationPoints = new ArrayList<>();
    for (int i = 0; i < discover.names.size(); i++) {
      if (discover.names.get(i).contains("/COMPENSATE/")) {
        compensationPoints.add(i + 1);
      }
    }
    assertThat(compensationPoints).isNotEmpty();

    for (int k : compensationPoints) {
      FakeWorld w = new FakeWorld(tmp.resolve("c" + k));
      w.objects().put("images/evil/1.tar", Scenarios.BASE);
      w.objects().put("images/evil/2.tar", evil);
      assertThatThrownBy(
              () ->
                  w.manager(new CrashAt(k))
                      .process(ref, ProcessOptions.defaults(), ProgressListener.none()))
          .isInstanceOf(SimulatedCrash.class);
      ImageManager restarted = w.manager(); // resumes the compensation
      var image = restarted.listImages().get(0);
      assertThat(image.state()).isEqualTo(ImageState.FAILED);
      assertThat(image.failureCode()).startsWith("layer-");
      // Compensation completed exactly once per failed run, recorded in its history.
      for (var run : restarted.recentRuns(50)) {
        long compensated =
            restarted.history(run.id()).stream()
                .filter(t -> t.event().equals("COMPENSATED"))
                .count();
        assertThat(compensated).isLessThanOrEqualTo(1);
      }
      // Only the valid base layer's chain volume is left, with its record.
      assertNoOrphans(w);
      assertThat(w.pool().volumeIds()).hasSize(1);
    }
  }
}
