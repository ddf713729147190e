package io.thinimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.engine.CrashPoints.SimulatedCrash;
import io.thinimage.core.engine.FsmDefinition.Effects;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.testing.InMemoryImageRepository;
import io.thinimage.core.testing.MutableClock;
import io.thinimage.core.testing.SequentialIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * No poison pills: an {@link Error} in a step fails the run instead of killing the worker, a step
 * whose attempts reached the bound is not started again (however the earlier attempts ended), and
 * compensation gives up after its own bound.
 */
class FsmEngineBoundsTest {
  enum S {
    A,
    B,
    DONE,
    UNDO,
    FAILED
  }

  enum E {
    NEXT,
    FINISHED,
    PERMANENT_FAILURE,
    UNDONE
  }

  static final int MAX = 5;
  static final int COMPENSATION_MAX = 4;

  final InMemoryImageRepository repo = new InMemoryImageRepository();
  final MutableClock clock = new MutableClock();
  final SequentialIds ids = new SequentialIds();
  final List<String> effects = Collections.synchronizedList(new ArrayList<>());

  /** What step B does on top of recording itself; by default it succeeds. */
  volatile Supplier<StepResult<E>> stepB = () -> StepResult.of(E.FINISHED);

  /** What the compensation step does; by default it succeeds. */
  volatile Supplier<StepResult<E>> undo = () -> StepResult.of(E.UNDONE);

  FsmDefinition<S, E> definition() {
    return FsmDefinition.builder("bounds", S.class, E.class)
        .ends(S.A, S.DONE, S.FAILED)
        .compensation(E.PERMANENT_FAILURE, S.UNDO)
        .row(S.A, E.NEXT, S.B)
        .row(S.B, E.FINISHED, S.DONE)
        .row(S.UNDO, E.UNDONE, S.FAILED)
        .step(S.A, Effects.NONE, ctx -> record(ctx, () -> StepResult.of(E.NEXT)))
        .step(S.B, Effects.NONE, ctx -> record(ctx, stepB))
        .step(S.UNDO, Effects.NONE, ctx -> record(ctx, undo))
        .build();
  }

  private StepResult<E> record(StepContext ctx, Supplier<StepResult<E>> body) {
    effects.add(ctx.run().resourceId() + ":" + ctx.run().state());
    return body.get();
  }

  FsmEngine engine(CrashPoints crash, FsmDefinition<S, E> def) {
    FsmEngine e =
        new FsmEngine(
            repo,
            clock,
            ids,
            new RetryPolicy(
                Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0, MAX, COMPENSATION_MAX),
            () -> HealthProbe.HealthReport.healthy(),
            crash,
            clock.sleeper(),
            Duration.ofMinutes(5),
            new Random(42));
    e.register(def);
    return e;
  }

  private long count(String effect) {
    return effects.stream().filter(effect::equals).count();
  }

  private Run stored(String runId) {
    return repo.read(r -> r.findRun(runId)).orElseThrow();
  }

  @Test
  void aStepOutOfMemoryFailsItsRunAndTheEngineKeepsServing() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    stepB =
        () -> {
          throw new OutOfMemoryError("Java heap space");
        };

    Run failed = e.run(def, "hog", Map.of(), null, ProgressListener.none());

    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.errorCode()).isEqualTo(FsmEngine.OUT_OF_MEMORY);
    assertThat(failed.errorMessage())
        .contains("bounds step B")
        .contains("Java heap space")
        .contains("-Xmx");
    assertThat(FsmEngine.failureOf(failed).kind()).isEqualTo(ErrorKind.INTERNAL);
    // not retried (it is not transient), compensated once
    assertThat(count("hog:B")).isEqualTo(1);
    assertThat(count("hog:UNDO")).isEqualTo(1);

    stepB = () -> StepResult.of(E.FINISHED);
    assertThat(e.run(def, "next", Map.of(), null, ProgressListener.none()).status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aRealStackOverflowInAStepFailsItsRun() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    stepB =
        () -> {
          deeper(0);
          return StepResult.of(E.FINISHED);
        };

    Run failed = e.run(def, "deep", Map.of(), null, ProgressListener.none());

    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.errorCode()).isEqualTo(FsmEngine.STACK_OVERFLOW);
    assertThat(failed.errorMessage()).contains("bounds step B").contains("-Xss");
    assertThat(count("deep:UNDO")).isEqualTo(1);
  }

  private static int deeper(int depth) {
    if (depth < 0) {
      return 0; // never: the stack ends first
    }
    return deeper(depth + 1) + 1;
  }

  @Test
  void otherErrorsStillEscape() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    stepB =
        () -> {
          throw new NoClassDefFoundError("broken install");
        };
    Run run = e.start(def, "r", Map.of(), null);
    assertThatThrownBy(() -> e.drive(run.id(), ProgressListener.none()))
        .isInstanceOf(NoClassDefFoundError.class);
    assertThat(stored(run.id()).status()).isEqualTo(RunStatus.ACTIVE);
  }

  @Test
  void aStepWhoseAttemptsReachedTheBoundIsRefusedBeforeItRuns() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    Run run = e.start(def, "r", Map.of(), null);
    // As the store looks after MAX processes died inside B.
    Instant now = clock.instant();
    repo.inTransaction(
        tx -> tx.updateRun(run.withState("B", RunStatus.ACTIVE, now).withAttempt(MAX, now)));

    Run done = e.drive(run.id(), ProgressListener.none());

    assertThat(effects).containsExactly("r:UNDO");
    assertThat(done.status()).isEqualTo(RunStatus.FAILED);
    assertThat(done.errorCode()).isEqualTo(Decision.ATTEMPTS_EXHAUSTED);
    assertThat(done.errorMessage()).contains("bounds step B was started 5 times");
    assertThat(FsmEngine.failureOf(done).kind()).isEqualTo(ErrorKind.INTERNAL);
  }

  @Test
  void aProcessDyingInsideAStepEveryTimeEndsTheRunAfterTheBound() {
    FsmDefinition<S, E> def = definition();
    Run run = engine(CrashPoints.NONE, def).start(def, "r", Map.of(), null);
    CrashPoints dieInB =
        p -> {
          if (p.equals("bounds/B/before-effect")) {
            throw new SimulatedCrash(p); // the process ends here, nothing recorded
          }
        };
    int starts = 0;
    while (stored(run.id()).status().isActive()) {
      assertThat(starts).as("resumes before the run ended").isLessThan(MAX + 1);
      starts++;
      try {
        engine(dieInB, def).resumeAll();
      } catch (SimulatedCrash expected) {
        // the next start is a new process: a new engine on the same store
      }
    }

    Run done = stored(run.id());
    assertThat(starts).isEqualTo(MAX + 1);
    assertThat(done.status()).isEqualTo(RunStatus.FAILED);
    assertThat(done.errorCode()).isEqualTo(Decision.ATTEMPTS_EXHAUSTED);
    assertThat(count("r:UNDO")).isEqualTo(1);
  }

  @Test
  void waitsForAnUnsafeHostThatTheStepReportsDoNotUseUpItsAttempts() {
    FsmDefinition<S, E> def = definition();
    AtomicInteger unsafeLeft = new AtomicInteger(MAX + 3);
    stepB =
        () -> {
          if (unsafeLeft.getAndDecrement() > 0) {
            throw ThinImageException.unsafe("pool-no-space", "pool 97% full");
          }
          return StepResult.of(E.FINISHED);
        };

    Run done = engine(CrashPoints.NONE, def).run(def, "r", Map.of(), null, ProgressListener.none());

    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(count("r:B")).isEqualTo(MAX + 4);
  }

  @Test
  void compensationThatKeepsFailingGivesUpAfterItsBound() {
    FsmDefinition<S, E> def = definition();
    stepB =
        () -> {
          throw ThinImageException.invalid("bad-input", "hostile");
        };
    undo =
        () -> {
          throw ThinImageException.transientFailure("device-busy", "still mounted", null);
        };

    Run done = engine(CrashPoints.NONE, def).run(def, "r", Map.of(), null, ProgressListener.none());

    assertThat(done.status()).isEqualTo(RunStatus.FAILED);
    assertThat(done.state()).isEqualTo("FAILED");
    assertThat(done.errorCode()).isEqualTo(Decision.COMPENSATION_EXHAUSTED);
    assertThat(done.errorMessage())
        .contains("after 4 attempts")
        .contains("device-busy: still mounted")
        .contains("thinimage gc")
        .contains("the run had failed with bad-input: hostile");
    assertThat(count("r:UNDO")).isEqualTo(COMPENSATION_MAX);
    List<TransitionRecord> history = repo.read(r -> r.listTransitions(done.id()));
    assertThat(history.get(history.size() - 1).event()).isEqualTo("EXHAUSTED");
  }

  @Test
  void permanentCompensationErrorsAreBoundedToo() {
    FsmDefinition<S, E> def = definition();
    stepB =
        () -> {
          throw ThinImageException.invalid("bad-input", "hostile");
        };
    undo =
        () -> {
          throw ThinImageException.internal("undo-bug", "cannot undo", null);
        };

    Run done = engine(CrashPoints.NONE, def).run(def, "r", Map.of(), null, ProgressListener.none());

    assertThat(done.errorCode()).isEqualTo(Decision.COMPENSATION_EXHAUSTED);
    assertThat(count("r:UNDO")).isEqualTo(COMPENSATION_MAX);
  }

  @Test
  void aCompensationDyingEveryTimeIsRefusedAtItsBound() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    Run run = e.start(def, "r", Map.of(), null);
    Instant now = clock.instant();
    repo.inTransaction(
        tx ->
            tx.updateRun(
                run.withState("UNDO", RunStatus.ACTIVE, now).withAttempt(COMPENSATION_MAX, now)));

    Run done = e.drive(run.id(), ProgressListener.none());

    assertThat(effects).isEmpty();
    assertThat(done.status()).isEqualTo(RunStatus.FAILED);
    assertThat(done.errorCode()).isEqualTo(Decision.COMPENSATION_EXHAUSTED);
    assertThat(done.errorMessage()).contains("started 4 times without finishing");
  }

  @Test
  void decideBoundsCompensation() {
    FsmDefinition<S, E> def = definition();
    RetryPolicy p = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0, 3, 2);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    ThinImageException permanent = ThinImageException.invalid("i", "m");
    assertThat(Decision.decide(def, S.UNDO, 1, null, permanent, p, now, 0.0))
        .isEqualTo(new Decision.Retry(now.plusMillis(500), "i", "m"));
    assertThat(Decision.decide(def, S.UNDO, 2, null, permanent, p, now, 0.0))
        .isInstanceOfSatisfying(
            Decision.GiveUp.class,
            g -> {
              assertThat(g.to()).isEqualTo("FAILED");
              assertThat(g.errorCode()).isEqualTo(Decision.COMPENSATION_EXHAUSTED);
            });
    assertThat(Decision.exhausted(def, S.B, 3, null, ""))
        .isInstanceOfSatisfying(Decision.Fail.class, f -> assertThat(f.to()).isEqualTo("UNDO"));
  }
}
