package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.port.ImageRepository;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The shape of an engine step's commit: a run update, its transition record and a domain write (an
 * activation row), all in one transaction. Step {@code n} of a run writes transition {@code n} and
 * activation {@code <run>-act-<n>} and leaves the run at version {@code n}.
 */
final class TransitionWorkload {
  private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");

  private TransitionWorkload() {}

  static void createRun(ImageRepository repo, String runId) {
    repo.inTransaction(
        tx -> {
          if (tx.findRun(runId).isEmpty()) {
            tx.insertRun(
                new Run(
                    runId,
                    "durability",
                    runId,
                    "S0",
                    RunStatus.ACTIVE,
                    0,
                    null,
                    Map.of(),
                    null,
                    null,
                    null,
                    T,
                    T,
                    0));
          }
          return null;
        });
  }

  /** Commits the run's next step; returns its number. */
  static long commitNext(ImageRepository repo, String runId) {
    return repo.inTransaction(
        tx -> {
          Run run = tx.findRun(runId).orElseThrow();
          long n = run.version() + 1;
          Instant now = T.plusMillis(n);
          Run stored =
              tx.updateRun(run.withState("S" + n, RunStatus.ACTIVE, now).withAttempt((int) n, now));
          tx.appendTransition(
              new TransitionRecord(
                  runId, (int) n, "S" + (n - 1), "ok", "S" + n, null, null, now, 1));
          tx.insertActivation(
              new Activation(
                  runId + "-act-" + n, runId, n, ActivationState.PENDING, null, now, now));
          assertThat(stored.version()).isEqualTo(n);
          return n;
        });
  }

  /**
   * Checks that the run's steps are whole: run version {@code v}, transitions 1..v and activations
   * 1..v, nothing more and nothing less. Returns {@code v}.
   */
  static long verifyWhole(ImageRepository repo, String runId) {
    return repo.read(
        r -> {
          Run run = r.findRun(runId).orElseThrow();
          long v = run.version();
          assertThat(run.attempt()).as("attempt of %s", runId).isEqualTo((int) v);
          assertThat(run.state()).isEqualTo("S" + v);
          List<TransitionRecord> ts = r.listTransitions(runId);
          assertThat(ts).as("transitions of %s", runId).hasSize((int) v);
          for (int i = 0; i < ts.size(); i++) {
            assertThat(ts.get(i).seq()).isEqualTo(i + 1);
          }
          List<Activation> acts = r.listActivations(runId);
          assertThat(acts).as("activations of %s", runId).hasSize((int) v);
          for (Activation a : acts) {
            assertThat(a.thinId()).isBetween(1L, v);
          }
          return v;
        });
  }
}
