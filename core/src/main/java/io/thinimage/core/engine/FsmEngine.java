package io.thinimage.core.engine;

import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.IdSource;
import io.thinimage.core.port.ImageRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable executor. A run is committed before any of its work starts; before each step's
 * effects the attempt is committed (intent); a step's event, its domain writes and the run's new
 * state commit in one transaction. After a crash, {@link #drive} continues every run from its first
 * incomplete state, each run with its own state (no shared "completed" set).
 */
public final class FsmEngine {
  private static final Logger log = LoggerFactory.getLogger(FsmEngine.class);
  static final String ERROR_KIND = "errorKind";
  static final String CANCELLED = "cancelled";

  /** The failure a run went into compensation with, kept when compensation errors overwrite it. */
  static final String FAILED_WITH = "failedWith";

  /** The code of the engine's own health gate; its waits happen before the step, not in it. */
  static final String HOST_UNSAFE = "unsafe-system";

  /** A step that ran out of Java heap. */
  public static final String OUT_OF_MEMORY = "step-out-of-memory";

  /** A step that overflowed its thread stack. */
  public static final String STACK_OVERFLOW = "step-stack-overflow";

  private final ImageRepository repository;
  private final Clock clock;
  private final IdSource ids;
  private final RetryPolicy retryPolicy;
  private final HealthProbe healthProbe;
  private final CrashPoints crashPoints;
  private final Sleeper sleeper;
  private final Duration unsafeWait;
  private final Random random;
  private final Map<String, FsmDefinition<?, ?>> definitions = new LinkedHashMap<>();
  private final ConcurrentHashMap<String, ReentrantLock> runLocks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, java.util.concurrent.Semaphore> limits =
      new ConcurrentHashMap<>();
  private volatile boolean stopping;

  private static final String WAIT = "WAIT";
  private static final String RETRY = "RETRY";
  private static final String EXHAUSTED = "EXHAUSTED";

  /** Everything the engine needs from outside. */
  public FsmEngine(
      ImageRepository repository,
      Clock clock,
      IdSource ids,
      RetryPolicy retryPolicy,
      HealthProbe healthProbe,
      CrashPoints crashPoints,
      Sleeper sleeper,
      Duration unsafeWait,
      Random random) {
    this.repository = repository;
    this.clock = clock;
    this.ids = ids;
    this.retryPolicy = retryPolicy;
    this.healthProbe = healthProbe;
    this.crashPoints = crashPoints;
    this.sleeper = sleeper;
    this.unsafeWait = unsafeWait;
    this.random = random;
  }

  /** Registers a definition; its type must be unique. */
  public void register(FsmDefinition<?, ?> def) {
    if (definitions.putIfAbsent(def.type(), def) != null) {
      throw new IllegalStateException("two definitions of type " + def.type());
    }
  }

  /**
   * Bounds how many runs of one type execute at once in this process (e.g. downloads 5, unpacks 2).
   * Runs beyond the bound wait their turn; they are durable meanwhile.
   */
  public void limitConcurrency(String type, int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("concurrency for " + type + " must be at least 1");
    }
    limits.put(type, new java.util.concurrent.Semaphore(permits, true));
  }

  /**
   * Asks a run to stop: at its next step boundary it goes to compensation and ends CANCELLED.
   * Idempotent; a run that already ended is returned as it is.
   */
  public Run cancel(String runId, String reason) {
    return repository.inTransaction(
        tx -> {
          Run run =
              tx.findRun(runId)
                  .orElseThrow(
                      () -> ThinImageException.notFound("run-not-found", "no run " + runId));
          if (!run.status().isActive() || run.attributes().containsKey(CANCELLED)) {
            return run;
          }
          // Children first, so the step the parent is blocked in ends promptly.
          for (Run child : tx.listChildRuns(runId)) {
            if (child.status().isActive() && !child.attributes().containsKey(CANCELLED)) {
              tx.updateRun(child.withAttributes(Map.of(CANCELLED, reason), clock.instant()));
            }
          }
          return tx.updateRun(run.withAttributes(Map.of(CANCELLED, reason), clock.instant()));
        });
  }

  /** Clears a waiting run's backoff so its next attempt happens now. NOT_FOUND if unknown. */
  public Run retryNow(String runId) {
    return repository.inTransaction(
        tx -> {
          Run run =
              tx.findRun(runId)
                  .orElseThrow(
                      () -> ThinImageException.notFound("run-not-found", "no run " + runId));
          if (!run.status().isActive() || run.notBefore() == null) {
            return run;
          }
          return tx.updateRun(
              run.withError(run.errorCode(), run.errorMessage(), null, clock.instant()));
        });
  }

  public List<FsmDefinition<?, ?>> definitions() {
    return List.copyOf(definitions.values());
  }

  /**
   * Starts a run, durably, before any of its work. Idempotent: if an ACTIVE run of this type for
   * this resource exists, returns it (its attributes are not changed).
   */
  public Run start(
      FsmDefinition<?, ?> def, String resourceId, Map<String, String> attributes, String parentId) {
    requireRegistered(def);
    return repository.inTransaction(
        tx -> {
          Optional<Run> existing = tx.findActiveRun(def.type(), resourceId);
          if (existing.isPresent()) {
            return existing.get();
          }
          Instant now = clock.instant();
          Run run =
              new Run(
                  ids.newId("run"),
                  def.type(),
                  resourceId,
                  def.initial().name(),
                  RunStatus.ACTIVE,
                  0,
                  null,
                  attributes,
                  parentId,
                  null,
                  null,
                  now,
                  now,
                  0);
          tx.insertRun(run);
          tx.appendTransition(
              new TransitionRecord(
                  run.id(), 0, "", "START", def.initial().name(), null, null, now, 0));
          return run;
        });
  }

  /**
   * Executes a run until it ends, one step at a time, and returns it as finally stored. A run that
   * another thread of this process is driving is waited for, not executed twice. Throws {@link
   * ThinImageException} UNSAFE (the run stays ACTIVE and resumable) when the host stays unsafe
   * longer than the configured wait, and {@link EngineStoppedException} when {@link #stop} parks
   * it.
   */
  public Run drive(String runId, ProgressListener progress) {
    ReentrantLock lock = runLocks.computeIfAbsent(runId, k -> new ReentrantLock());
    lock.lock();
    try {
      java.util.concurrent.Semaphore limit = limits.get(load(runId).type());
      if (limit == null) {
        return driveLocked(runId, progress);
      }
      limit.acquireUninterruptibly();
      try {
        return driveLocked(runId, progress);
      } finally {
        limit.release();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Starts (idempotently) and drives a run. */
  public Run run(
      FsmDefinition<?, ?> def,
      String resourceId,
      Map<String, String> attributes,
      String parentId,
      ProgressListener progress) {
    return drive(start(def, resourceId, attributes, parentId).id(), progress);
  }

  /**
   * Drives every ACTIVE run to its end: top-level runs first (they drive their children), then any
   * child left without an active parent. A run that fails to progress is logged and left for the
   * next start. Returns how many runs were resumed.
   */
  public int resumeAll() {
    List<Run> active = repository.read(r -> r.listActiveRuns());
    int n = 0;
    for (Run run : active) {
      if (run.parentId() == null) {
        n += resumeOne(run);
      }
    }
    for (Run run : repository.read(r -> r.listActiveRuns())) {
      n += resumeOne(run);
    }
    return n;
  }

  private int resumeOne(Run run) {
    if (!definitions.containsKey(run.type())) {
      log.atError()
          .addKeyValue("run_id", run.id())
          .addKeyValue("type", run.type())
          .log("no definition for this run's type; left as it is");
      return 0;
    }
    try {
      drive(run.id(), ProgressListener.none());
      return 1;
    } catch (ThinImageException e) {
      log.atWarn()
          .addKeyValue("run_id", run.id())
          .addKeyValue("code", e.code())
          .log("resumed run did not finish: {}", e.getMessage());
      return 1;
    } catch (EngineStoppedException e) {
      throw e;
    } catch (RuntimeException e) {
      // One broken run must not keep the others from resuming; its attempt is counted, so the
      // attempt bound ends it after a few starts.
      log.atError()
          .addKeyValue("run_id", run.id())
          .addKeyValue("type", run.type())
          .setCause(e)
          .log("resumed run stopped on an unexpected error; it resumes on the next start");
      return 1;
    }
  }

  /** Parks every run at its next step boundary; they stay ACTIVE and resume on the next start. */
  public void stop() {
    stopping = true;
  }

  public boolean isStopping() {
    return stopping;
  }

  @SuppressWarnings("unchecked")
  private <S extends Enum<S>, E extends Enum<E>> FsmDefinition<S, E> definition(String type) {
    FsmDefinition<?, ?> d = definitions.get(type);
    if (d == null) {
      throw ThinImageException.internal("unknown-fsm", "no state machine of type " + type, null);
    }
    return (FsmDefinition<S, E>) d;
  }

  private void requireRegistered(FsmDefinition<?, ?> def) {
    if (definitions.get(def.type()) != def) {
      throw new IllegalStateException("definition not registered: " + def.type());
    }
  }

  private Run load(String runId) {
    return repository
        .read(r -> r.findRun(runId))
        .orElseThrow(() -> ThinImageException.notFound("run-not-found", "no run " + runId));
  }

  private <S extends Enum<S>, E extends Enum<E>> Run driveLocked(
      String runId, ProgressListener progress) {
    Run run = load(runId);
    FsmDefinition<S, E> def = definition(run.type());
    Instant unsafeSince = null;
    while (run.status().isActive()) {
      if (stopping) {
        throw new EngineStoppedException(run.id());
      }
      Instant now = clock.instant();
      if (run.notBefore() != null && run.notBefore().isAfter(now)) {
        sleep(Duration.between(now, run.notBefore()));
        continue;
      }
      S state = def.state(run.state());
      String point = def.type() + "/" + state.name();
      crashPoints.reached(point + "/before-step");

      ThinImageException error = null;
      StepResult<E> result = null;
      if (run.attributes().containsKey(CANCELLED) && state != def.compensating()) {
        run =
            commit(
                def,
                run,
                state,
                new Decision.Fail(
                    def.failureEvent().name(),
                    def.compensating().name(),
                    ErrorKind.CONFLICT,
                    "cancelled",
                    "cancelled: " + run.attribute(CANCELLED)),
                null,
                0);
        continue;
      }
      Decision refused = refuseIfExhausted(def, run, state);
      if (refused != null) {
        run = commit(def, run, state, refused, null, 0);
        continue;
      }
      if (def.mutatesPool(state)) {
        HealthProbe.HealthReport health = healthProbe.check();
        if (health.unsafe()) {
          error = ThinImageException.unsafe(HOST_UNSAFE, "host unsafe: " + health.firstUnsafe());
        }
      }
      long started = System.nanoTime();
      if (error == null) {
        // Intent before effect: the attempt is durable before the step touches anything.
        Run counted = run.withAttempt(run.attempt() + 1, now);
        run = repository.inTransaction(tx -> tx.updateRun(counted));
        try {
          // Inside the try: a test crash point may also throw a typed failure (fault injection).
          crashPoints.reached(point + "/before-effect");
          result =
              def.step(state).execute(new StepContext(run, this, clock, progress, crashPoints));
        } catch (ThinImageException e) {
          error = e;
        } catch (RuntimeException e) {
          // An unexpected exception is a bug or an unclassified failure: retried like a transient
          // one (superfly/fsm retries panics), then permanent, with its class in the record.
          error =
              new ThinImageException(
                  ErrorKind.TRANSIENT,
                  "unexpected-error",
                  e.getClass().getSimpleName() + ": " + e.getMessage(),
                  e);
        } catch (OutOfMemoryError | StackOverflowError e) {
          // At the step boundary both are recoverable: the step's frames are gone with the stack
          // and whatever it allocated is garbage now. Left to escape, the error would kill the
          // worker and leave the run ACTIVE, to die the same way on every resume.
          error = stepError(run, state, e);
        }
        crashPoints.reached(point + "/after-effect");
      }
      long durationMillis = (System.nanoTime() - started) / 1_000_000;
      Decision decision =
          Decision.decide(
              def,
              state,
              Math.max(1, run.attempt()),
              result == null ? null : result.event(),
              error,
              retryPolicy,
              clock.instant(),
              random.nextDouble());
      if (decision instanceof Decision.WaitUntilSafe w) {
        unsafeSince = unsafeSince == null ? clock.instant() : unsafeSince;
        run = commitWait(run, w.at(), w.errorCode(), w.errorMessage(), state, durationMillis);
        if (!Duration.between(unsafeSince, clock.instant()).minus(unsafeWait).isNegative()) {
          throw ThinImageException.unsafe(w.errorCode(), w.errorMessage());
        }
        continue;
      }
      unsafeSince = null;
      // After an out-of-memory step this commit may run out of memory too: then the error escapes
      // and the caller ends the process. The attempt is already counted, so the next start finds
      // it and the attempt bound ends the run.
      run = commit(def, run, state, decision, result, durationMillis);
      crashPoints.reached(point + "/after-commit");
    }
    return run;
  }

  /**
   * The typed failure for an {@link Error} a step ended with. Nothing here allocates much: it runs
   * right after the heap ran out.
   */
  private static ThinImageException stepError(Run run, Enum<?> state, VirtualMachineError e) {
    String step = run.type() + " step " + state.name();
    if (e instanceof StackOverflowError) {
      log.atError()
          .addKeyValue("run_id", run.id())
          .addKeyValue("code", STACK_OVERFLOW)
          .setCause(e)
          .log("{} overflowed its thread stack", step);
      return ThinImageException.internal(
          STACK_OVERFLOW,
          step
              + " overflowed its thread stack (StackOverflowError): its input is nested too"
              + " deeply for the stack size (-Xss)",
          null);
    }
    long heapMb = Runtime.getRuntime().maxMemory() >> 20;
    log.atError()
        .addKeyValue("run_id", run.id())
        .addKeyValue("code", OUT_OF_MEMORY)
        .addKeyValue("heap_mb", heapMb)
        .log("{} ran out of memory: {}", step, e.getMessage());
    return ThinImageException.internal(
        OUT_OF_MEMORY,
        step
            + " ran out of memory ("
            + e.getMessage()
            + ") with a maximum heap of "
            + heapMb
            + " MB; raise it with -Xmx (THINIMAGE_JAVA_OPTS) if the input is legitimate",
        null);
  }

  /**
   * Refuses to start {@code state} again when its started attempts reached the policy's bound (see
   * {@link Decision#exhausted}); null when it may run. Waits for an unsafe host that the step
   * itself reported do not count: the host failed, not the step, and the run waits for it by
   * design.
   */
  private <S extends Enum<S>, E extends Enum<E>> Decision refuseIfExhausted(
      FsmDefinition<S, E> def, Run run, S state) {
    int bound = retryPolicy.attemptsFor(state == def.compensating());
    if (run.attempt() < bound) {
      return null; // the common case reads nothing
    }
    List<TransitionRecord> history = repository.read(r -> r.listTransitions(run.id()));
    int waits = 0;
    for (int i = history.size() - 1; i >= 0; i--) {
      TransitionRecord t = history.get(i);
      boolean stay =
          t.fromState().equals(state.name()) && (t.event().equals(WAIT) || t.event().equals(RETRY));
      if (!stay) {
        break; // the record that entered this state
      }
      if (t.event().equals(WAIT) && !HOST_UNSAFE.equals(t.errorCode())) {
        waits++;
      }
    }
    int counted = run.attempt() - waits;
    if (counted < bound) {
      return null;
    }
    StringBuilder waitingOn = new StringBuilder();
    for (Run child : repository.read(r -> r.listChildRuns(run.id()))) {
      if (child.status().isActive()) {
        waitingOn.append(waitingOn.length() == 0 ? "; it was waiting on " : ", ");
        waitingOn
            .append(child.type())
            .append(" run ")
            .append(child.id())
            .append(" in ")
            .append(child.state())
            .append(" (attempt ")
            .append(child.attempt())
            .append(')');
      }
    }
    String last = run.errorCode() == null ? null : run.errorCode() + ": " + run.errorMessage();
    log.atError()
        .addKeyValue("run_id", run.id())
        .addKeyValue("type", run.type())
        .addKeyValue("state", state.name())
        .addKeyValue("attempts", counted)
        .log("{} step {} reached its attempt bound without finishing", run.type(), state.name());
    return Decision.exhausted(def, state, counted, last, waitingOn.toString());
  }

  private Run commitWait(
      Run run, Instant at, String code, String message, Enum<?> state, long durationMillis) {
    Instant now = clock.instant();
    Run waiting = run.withError(code, message, at, now);
    return repository.inTransaction(
        tx -> {
          int seq = tx.listTransitions(run.id()).size();
          tx.appendTransition(
              new TransitionRecord(
                  run.id(),
                  seq,
                  state.name(),
                  WAIT,
                  state.name(),
                  code,
                  message,
                  now,
                  durationMillis));
          return tx.updateRun(waiting);
        });
  }

  private <S extends Enum<S>, E extends Enum<E>> Run commit(
      FsmDefinition<S, E> def,
      Run run,
      S state,
      Decision decision,
      StepResult<E> result,
      long durationMillis) {
    Instant now = clock.instant();
    Run next;
    String event;
    String to;
    String code = null;
    String message = null;
    if (decision instanceof Decision.Advance a) {
      S target = def.state(a.to());
      RunStatus status = RunStatus.ACTIVE;
      if (target == def.succeeded()) {
        status = RunStatus.SUCCEEDED;
      } else if (target == def.failed()) {
        status = run.attributes().containsKey(CANCELLED) ? RunStatus.CANCELLED : RunStatus.FAILED;
      }
      Run withAttrs = run.withAttributes(result.attributes(), now);
      next =
          new Run(
              withAttrs.id(),
              withAttrs.type(),
              withAttrs.resourceId(),
              a.to(),
              status,
              0,
              null,
              withAttrs.attributes(),
              withAttrs.parentId(),
              status == RunStatus.SUCCEEDED ? null : withAttrs.errorCode(),
              status == RunStatus.SUCCEEDED ? null : withAttrs.errorMessage(),
              withAttrs.createdAt(),
              now,
              withAttrs.version());
      event = a.event();
      to = a.to();
    } else if (decision instanceof Decision.Retry r) {
      next = run.withError(r.errorCode(), r.errorMessage(), r.at(), now);
      event = RETRY;
      to = state.name();
      code = r.errorCode();
      message = r.errorMessage();
    } else if (decision instanceof Decision.Fail f) {
      Run failed =
          run.withAttributes(
                  Map.of(
                      ERROR_KIND,
                      f.kind().name(),
                      FAILED_WITH,
                      f.errorCode() + ": " + f.errorMessage()),
                  now)
              .withState(f.to(), RunStatus.ACTIVE, now);
      next = failed.withError(f.errorCode(), f.errorMessage(), null, now);
      event = f.event();
      to = f.to();
      code = f.errorCode();
      message = f.errorMessage();
      log.atWarn()
          .addKeyValue("run_id", run.id())
          .addKeyValue("type", run.type())
          .addKeyValue("state", state.name())
          .addKeyValue("code", f.errorCode())
          .log("permanent failure, compensating: {}", f.errorMessage());
    } else if (decision instanceof Decision.GiveUp g) {
      String failedWith = run.attributes().get(FAILED_WITH);
      message =
          failedWith == null
              ? g.errorMessage()
              : g.errorMessage() + "; the run had failed with " + failedWith;
      code = g.errorCode();
      Run ended =
          run.withAttributes(Map.of(ERROR_KIND, g.kind().name()), now)
              .withState(g.to(), RunStatus.FAILED, now);
      next = ended.withError(code, message, null, now);
      event = EXHAUSTED;
      to = g.to();
      log.atError()
          .addKeyValue("run_id", run.id())
          .addKeyValue("type", run.type())
          .addKeyValue("code", code)
          .log("compensation gave up: {}", message);
    } else {
      throw new IllegalStateException("unexpected decision " + decision);
    }
    final Run toStore = next;
    final String ev = event;
    final String target = to;
    final String c = code;
    final String m = message;
    return repository.inTransaction(
        tx -> {
          if (decision instanceof Decision.Advance) {
            result.writes().accept(tx);
          }
          int seq = tx.listTransitions(run.id()).size();
          tx.appendTransition(
              new TransitionRecord(
                  run.id(), seq, state.name(), ev, target, c, m, now, durationMillis));
          return tx.updateRun(toStore);
        });
  }

  private void sleep(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineStoppedException("interrupted");
    }
  }

  /** Reconstructs the typed error a failed run ended with. */
  public static ThinImageException failureOf(Run run) {
    String kind = run.attributes().getOrDefault(ERROR_KIND, ErrorKind.INTERNAL.name());
    return new ThinImageException(
        ErrorKind.valueOf(kind),
        run.errorCode() == null ? "run-failed" : run.errorCode(),
        run.errorMessage() == null ? "run " + run.id() + " failed" : run.errorMessage());
  }

  /** Thrown when the engine is stopping: the run is parked, ACTIVE, resumable. */
  public static final class EngineStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineStoppedException(String runId) {
      super("engine stopping; run parked: " + runId);
    }
  }
}
