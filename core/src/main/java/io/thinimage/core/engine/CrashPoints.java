package io.thinimage.core.engine;

/**
 * A test seam: the engine calls {@link #reached} at every step boundary and between every external
 * effect and its commit. A crash-test implementation throws {@link SimulatedCrash} there, which
 * unwinds the engine without committing anything, exactly as a {@code kill -9} would leave the
 * store. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface CrashPoints {
  /** No crash points: production. */
  CrashPoints NONE = point -> {};

  /**
   * For crash-torture runs of the real binaries: if the environment variable {@code
   * THINIMAGE_CRASH_AT} is {@code <point>} or {@code <point>#<n>} (the n-th time it is reached,
   * default 1), the process halts there with exit status 137 — no shutdown hooks, no commits,
   * exactly like {@code kill -9}. Unset (always, in production): {@link #NONE}.
   */
  static CrashPoints fromEnvironment() {
    String spec = System.getenv("THINIMAGE_CRASH_AT");
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    int hash = spec.lastIndexOf('#');
    String target = hash < 0 ? spec : spec.substring(0, hash);
    int nth = hash < 0 ? 1 : Integer.parseInt(spec.substring(hash + 1));
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger();
    return point -> {
      if (point.equals(target) && seen.incrementAndGet() == nth) {
        System.err.println("thinimage: crash point reached, halting: " + point);
        System.err.flush();
        Runtime.getRuntime().halt(137);
      }
    };
  }

  /**
   * Called at a named point, e.g. {@code unpack/APPLY/after-effect}.
   *
   * @throws SimulatedCrash to stop the engine here
   */
  void reached(String point);

  /** Thrown by test crash points; an Error so that no {@code catch (Exception)} swallows it. */
  final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    public SimulatedCrash(String point) {
      super("simulated crash at " + point, null, false, false);
    }
  }
}
