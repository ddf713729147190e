package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.engine.CrashPoints;
import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.engine.FsmEngine;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.lifecycle.DownloadFsm;
import io.thinimage.core.lifecycle.UnpackFsm;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails if any row of any lifecycle table is never exercised: the happy paths, the short-cuts
 * (already present, already built, reused, skipped, already inactive) and a permanent failure
 * injected in every working state, which must travel its compensation row.
 */
class TransitionCoverageTest {
  @TempDir Path tmp;
  private final Set<String> covered = new TreeSet<>();
  private int worlds;

  private FakeWorld world() {
    return Scenarios.twoFamilies(tmp.resolve("w" + worlds++));
  }

  private void collect(FakeWorld w) {
    for (Run run : w.repository().read(r -> r.listRecentRuns(10_000))) {
      for (TransitionRecord t : w.repository().read(r -> r.listTransitions(run.id()))) {
        covered.add(run.type() + " " + t.fromState() + " " + t.event());
      }
    }
  }

  private static void fullScenario(ImageManager m) {
    ImageReference go = new ImageReference("images/go/");
    ProcessResult r = m.process(go, ProcessOptions.defaults(), ProgressListener.none());
    m.process(go, ProcessOptions.defaults(), ProgressListener.none()); // REUSED
    m.process(
        new ImageReference("images/node/"),
        new ProcessOptions(false, false),
        ProgressListener.none());
    m.deactivate(r.activation().id());
    m.deactivate(r.activation().id()); // ALREADY_INACTIVE
  }

  @Test
  void everyRowOfEveryTableIsExercised() {
    FakeWorld happy = world();
    DefaultImageManager m = (DefaultImageManager) happy.manager();
    fullScenario(m);
    shortCuts(happy, m);
    collect(happy);

    FsmEngine engine = m.engine();
    for (FsmDefinition<?, ?> def : engine.definitions()) {
      for (var row : def.rows()) {
        if (!row.event().name().equals(def.failureEvent().name())) {
          continue;
        }
        FakeWorld w = world();
        String point = def.type() + "/" + row.from().name() + "/before-effect";
        AtomicBoolean injected = new AtomicBoolean();
        CrashPoints inject =
            p -> {
              if (p.equals(point) && injected.compareAndSet(false, true)) {
                throw ThinImageException.invalid("injected", "injected at " + p);
              }
            };
        ImageManager failing = w.manager(inject);
        try {
          fullScenario(failing);
        } catch (ThinImageException expected) {
          // the injected failure surfaces as the command's error
        }
        assertThat(injected).as("scenario reaches " + point).isTrue();
        collect(w);
      }
    }

    var missing = new TreeSet<String>();
    for (FsmDefinition<?, ?> def : engine.definitions()) {
      for (var row : def.rows()) {
        String key = def.type() + " " + row.from().name() + " " + row.event().name();
        if (!covered.contains(key)) {
          missing.add(key);
        }
      }
    }
    assertThat(missing).as("table rows never exercised").isEmpty();
  }

  /** Rows only a direct start reaches: the children's own "already done" checks. */
  private static void shortCuts(FakeWorld w, DefaultImageManager m) {
    FsmEngine engine = m.engine();
    var go =
        m.listImages().stream()
            .filter(i -> i.reference().value().equals("images/go/"))
            .findFirst()
            .orElseThrow();
    var layer = go.layers().get(0);
    FsmDefinition<?, ?> download = byType(engine, DownloadFsm.TYPE);
    engine.run(
        download,
        "direct:" + layer.object().key(),
        DownloadFsm.attributes(w.objects().describe(), layer.object()),
        null,
        ProgressListener.none());
    FsmDefinition<?, ?> unpack = byType(engine, UnpackFsm.TYPE);
    engine.run(
        unpack,
        layer.chain().toString(),
        UnpackFsm.attributes(layer.chain(), null, layer.digest(), layer.object().key()),
        null,
        ProgressListener.none());
    assertThat(w.repository().read(RepositoryReader::listActiveRuns)).isEmpty();
  }

  private static FsmDefinition<?, ?> byType(FsmEngine engine, String type) {
    return engine.definitions().stream()
        .filter(d -> d.type().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
