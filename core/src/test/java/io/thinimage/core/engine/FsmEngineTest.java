package io.thinimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.api.ProgressListener;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine's guarantees, on a small synthetic machine: A → B → C → DONE. */
class FsmEngineTest {
  enum S {
    A,
    B,
    C,
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

  final InMemoryImageRepository repo = new InMemoryImageRepository();
  final MutableClock clock = new MutableClock();
  final SequentialIds ids = new SequentialIds();
  final List<String> effects = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger failuresLeft = new AtomicInteger();
  volatile ThinImageException failure;
  volatile String failIn = "B";
  volatile HealthProbe health = HealthProbe.HealthReport::healthy;

  FsmDefinition<S, E> definition() {
    return FsmDefinition.builder("test", S.class, E.class)
        .ends(S.A, S.DONE, S.FAILED)
        .compensation(E.PERMANENT_FAILURE, S.UNDO)
        .row(S.A, E.NEXT, S.B)
        .row(S.B, E.NEXT, S.C)
        .row(S.C, E.FINISHED, S.DONE)
        .row(S.UNDO, E.UNDONE, S.FAILED)
        .step(S.A, Effects.NONE, ctx -> effect(ctx, E.NEXT))
        .step(S.B, Effects.POOL, ctx -> effect(ctx, E.NEXT))
        .step(S.C, Effects.NONE, ctx -> effect(ctx, E.FINISHED))
        .step(S.UNDO, Effects.NONE, ctx -> effect(ctx, E.UNDONE))
        .build();
  }

  private StepResult<E> effect(StepContext ctx, E event) {
    effects.add(ctx.run().resourceId() + ":" + ctx.run().state());
    if (ctx.run().state().equals(failIn) && failuresLeft.getAndDecrement() > 0) {
      throw failure;
    }
    return StepResult.of(event);
  }

  FsmEngine engine(CrashPoints crash, FsmDefinition<S, E> def) {
    FsmEngine e =
        new FsmEngine(
            repo,
            clock,
            ids,
            new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0, 5),
            () -> health.check(),
            crash,
            clock.sleeper(),
            Duration.ofMinutes(1),
            new Random(42));
    e.register(def);
    return e;
  }

  @Test
  void startIsDurableBeforeWorkAndIdempotent() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    Run first = e.start(def, "r1", Map.of("k", "v"), null);
    Run second = e.start(def, "r1", Map.of("k", "other"), null);
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(effects).isEmpty();
    java.util.Optional<Run> active = repo.read(r -> r.findActiveRun("test", "r1"));
    List<TransitionRecord> history = repo.read(r -> r.listTransitions(first.id()));
    assertThat(active).isPresent();
    assertThat(history).hasSize(1);
  }

  @Test
  void tenThreadsStartingOneResourceGetOneRun() throws Exception {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    ExecutorService pool = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    Set<String> runIds = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        fs.add(
            pool.submit(
                () -> {
                  go.await();
                  runIds.add(e.start(def, "same", Map.of(), null).id());
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(runIds).hasSize(1);
    e.drive(runIds.iterator().next(), ProgressListener.none());
    assertThat(effects).containsExactly("same:A", "same:B", "same:C");
  }

  @Test
  void twoRunsOfOneTypeResumeEachFromItsOwnState() {
    FsmDefinition<S, E> def = definition();
    // Run r1 dies after committing A; run r2 dies after committing A and B.
    FsmEngine e1 = engine(crashAfterCommits("test/A/after-commit", 1), def);
    Run r1 = e1.start(def, "r1", Map.of(), null);
    assertThatThrownBy(() -> e1.drive(r1.id(), ProgressListener.none()))
        .isInstanceOf(SimulatedCrash.class);
    FsmEngine e2 = engine(crashAfterCommits("test/B/after-commit", 1), def);
    Run r2 = e2.start(def, "r2", Map.of(), null);
    assertThatThrownBy(() -> e2.drive(r2.id(), ProgressListener.none()))
        .isInstanceOf(SimulatedCrash.class);
    effects.clear();

    int resumed = engine(CrashPoints.NONE, def).resumeAll();

    assertThat(resumed).isEqualTo(2);
    // r1 resumes at B, r2 at C: neither inherits the other's completed states.
    assertThat(effects).containsExactlyInAnyOrder("r1:B", "r1:C", "r2:C");
    assertThat(repo.read(r -> r.findRun(r1.id())).orElseThrow().status())
        .isEqualTo(RunStatus.SUCCEEDED);
    assertThat(repo.read(r -> r.findRun(r2.id())).orElseThrow().status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aCrashBetweenEffectAndCommitReRunsTheStepWithItsAttemptCounted() {
    FsmDefinition<S, E> def = definition();
    FsmEngine dying = engine(crashAfterCommits("test/B/after-effect", 1), def);
    Run run = dying.start(def, "r", Map.of(), null);
    assertThatThrownBy(() -> dying.drive(run.id(), ProgressListener.none()))
        .isInstanceOf(SimulatedCrash.class);
    Run stored = repo.read(r -> r.findRun(run.id())).orElseThrow();
    assertThat(stored.state()).isEqualTo("B");
    assertThat(stored.attempt()).as("the attempt was committed before the effect").isEqualTo(1);

    engine(CrashPoints.NONE, def).resumeAll();
    assertThat(effects).containsExactly("r:A", "r:B", "r:B", "r:C");
  }

  @Test
  void transientFailuresRetryWithExponentialBackoffOnTheFakeClock() {
    FsmDefinition<S, E> def = definition();
    failure = ThinImageException.transientFailure("flaky", "try again", null);
    failuresLeft.set(3);
    Instant start = clock.instant();
    Run run = engine(CrashPoints.NONE, def).run(def, "r", Map.of(), null, ProgressListener.none());

    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(effects).containsExactly("r:A", "r:B", "r:B", "r:B", "r:B", "r:C");
    // delays: half fixed + half jitter of 1 s, 2 s, 4 s → between 3.5 s and 7 s in all
    Duration waited = Duration.between(start, clock.instant());
    assertThat(waited).isBetween(Duration.ofMillis(3_500), Duration.ofSeconds(7));
    var retries =
        repo.read(r -> r.listTransitions(run.id())).stream()
            .filter(t -> t.event().equals("RETRY"))
            .toList();
    assertThat(retries).hasSize(3).allMatch(t -> "flaky".equals(t.errorCode()));
  }

  @Test
  void retriesAreBoundedThenTheRunFailsWithItsReasonAndCompensatesOnce() {
    FsmDefinition<S, E> def = definition();
    failure = ThinImageException.transientFailure("flaky", "still broken", null);
    failuresLeft.set(100);
    Run run = engine(CrashPoints.NONE, def).run(def, "r", Map.of(), null, ProgressListener.none());

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.errorCode()).isEqualTo("flaky");
    assertThat(run.errorMessage()).isEqualTo("still broken");
    assertThat(effects.stream().filter(x -> x.equals("r:B"))).hasSize(5);
    assertThat(effects.stream().filter(x -> x.equals("r:UNDO"))).hasSize(1);
    assertThat(FsmEngine.failureOf(run).code()).isEqualTo("flaky");
  }

  @Test
  void aPermanentErrorSkipsRetriesAndCompensationSurvivesACrashInsideIt() {
    FsmDefinition<S, E> def = definition();
    failure = ThinImageException.invalid("bad-input", "hostile");
    failuresLeft.set(1);
    FsmEngine dying = engine(crashAfterCommits("test/UNDO/after-effect", 1), def);
    Run run = dying.start(def, "r", Map.of(), null);
    assertThatThrownBy(() -> dying.drive(run.id(), ProgressListener.none()))
        .isInstanceOf(SimulatedCrash.class);

    engine(CrashPoints.NONE, def).resumeAll();

    Run done = repo.read(r -> r.findRun(run.id())).orElseThrow();
    assertThat(done.status()).isEqualTo(RunStatus.FAILED);
    assertThat(done.errorCode()).isEqualTo("bad-input");
    assertThat(effects.stream().filter(x -> x.equals("r:B"))).hasSize(1);
    // the compensation effect ran twice (the crash hit between it and its commit) but completed
    // once
    assertThat(effects.stream().filter(x -> x.equals("r:UNDO"))).hasSize(2);
    assertThat(
            repo.read(r -> r.listTransitions(run.id())).stream()
                .filter(t -> t.event().equals("UNDONE")))
        .hasSize(1);
  }

  @Test
  void anUnsafeHostBlocksPoolStepsWithoutFailingTheRun() {
    FsmDefinition<S, E> def = definition();
    health =
        () ->
            new HealthProbe.HealthReport(
                List.of(
                    new HealthProbe.Check(
                        "memory.psi", "80.0", HealthProbe.Verdict.UNSAFE, "some avg10 > 40")));
    FsmEngine e = engine(CrashPoints.NONE, def);
    Run run = e.start(def, "r", Map.of(), null);
    assertThatThrownBy(() -> e.drive(run.id(), ProgressListener.none()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            x -> {
              assertThat(x.kind()).isEqualTo(io.thinimage.core.domain.ErrorKind.UNSAFE);
              assertThat(x.getMessage()).contains("memory.psi=80.0");
            });
    Run waiting = repo.read(r -> r.findRun(run.id())).orElseThrow();
    assertThat(waiting.status()).isEqualTo(RunStatus.ACTIVE);
    assertThat(waiting.state()).isEqualTo("B");
    assertThat(effects).containsExactly("r:A");

    health = HealthProbe.HealthReport::healthy;
    assertThat(e.drive(run.id(), ProgressListener.none()).status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void stopParksRunsResumably() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    Run run = e.start(def, "r", Map.of(), null);
    e.stop();
    assertThatThrownBy(() -> e.drive(run.id(), ProgressListener.none()))
        .isInstanceOf(FsmEngine.EngineStoppedException.class);
    assertThat(repo.read(r -> r.findRun(run.id())).orElseThrow().status())
        .isEqualTo(RunStatus.ACTIVE);
    assertThat(engine(CrashPoints.NONE, def).resumeAll()).isEqualTo(1);
    assertThat(repo.read(r -> r.findRun(run.id())).orElseThrow().status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aCancelledRunCompensatesAndEndsCancelled() {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    Run run = e.start(def, "r", Map.of(), null);
    e.cancel(run.id(), "operator said so");
    Run done = e.drive(run.id(), ProgressListener.none());
    assertThat(done.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(done.errorCode()).isEqualTo("cancelled");
    assertThat(effects).containsExactly("r:UNDO");
    assertThat(e.cancel(run.id(), "again").status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void concurrencyLimitsBoundRunsOfOneType() throws Exception {
    FsmDefinition<S, E> def = definition();
    FsmEngine e = engine(CrashPoints.NONE, def);
    e.limitConcurrency("test", 2);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    FsmDefinition<S, E> slow =
        FsmDefinition.builder("slow", S.class, E.class)
            .ends(S.A, S.DONE, S.FAILED)
            .compensation(E.PERMANENT_FAILURE, S.UNDO)
            .row(S.A, E.FINISHED, S.DONE)
            .row(S.UNDO, E.UNDONE, S.FAILED)
            .step(
                S.A,
                Effects.NONE,
                ctx -> {
                  peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                  }
                  inside.decrementAndGet();
                  return StepResult.of(E.FINISHED);
                })
            .step(S.B, Effects.NONE, ctx -> StepResult.of(E.NEXT)) // unreachable in this table
            .step(S.C, Effects.NONE, ctx -> StepResult.of(E.FINISHED)) // unreachable
            .step(S.UNDO, Effects.NONE, ctx -> StepResult.of(E.UNDONE))
            .build();
    e.register(slow);
    e.limitConcurrency("slow", 2);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Run>> fs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String id = "r" + i;
        fs.add(pool.submit(() -> e.run(slow, id, Map.of(), null, ProgressListener.none())));
      }
      for (Future<Run> f : fs) {
        assertThat(f.get().status()).isEqualTo(RunStatus.SUCCEEDED);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(peak.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void decideIsPure() {
    FsmDefinition<S, E> def = definition();
    RetryPolicy p = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0, 3);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(Decision.decide(def, S.A, 1, E.NEXT, null, p, now, 0.5))
        .isEqualTo(new Decision.Advance("NEXT", "B"));
    assertThat(
            Decision.decide(
                def,
                S.B,
                2,
                null,
                ThinImageException.transientFailure("t", "m", null),
                p,
                now,
                0.0))
        .isEqualTo(new Decision.Retry(now.plusSeconds(1), "t", "m"));
    assertThat(
            Decision.decide(
                def,
                S.B,
                3,
                null,
                ThinImageException.transientFailure("t", "m", null),
                p,
                now,
                0.0))
        .isInstanceOf(Decision.Fail.class);
    assertThat(
            Decision.decide(def, S.B, 1, null, ThinImageException.invalid("i", "m"), p, now, 0.0))
        .isEqualTo(
            new Decision.Fail(
                "PERMANENT_FAILURE",
                "UNDO",
                io.thinimage.core.domain.ErrorKind.INVALID_INPUT,
                "i",
                "m"));
    assertThatThrownBy(() -> Decision.decide(def, S.A, 1, E.FINISHED, null, p, now, 0.0))
        .isInstanceOf(IllegalStateException.class);
  }

  private static CrashPoints crashAfterCommits(String point, int occurrence) {
    AtomicInteger n = new AtomicInteger();
    return p -> {
      if (p.equals(point) && n.incrementAndGet() == occurrence) {
        throw new SimulatedCrash(p);
      }
    };
  }
}
