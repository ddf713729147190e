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
   * THINIMAGE_CRASH_AT} is {@code <point>[#<n>][:<fault>]}, the n-th time (default 1) the point is
   * reached the process suffers the fault. Unset (always, in production): {@link #NONE}. Faults:
   *
   * <ul>
   *   <li>{@code halt} (the default): exit status 137 at once — no shutdown hooks, no commits,
   *       exactly like {@code kill -9};
   *   <li>{@code oom}: allocate until the Java heap is exhausted, a real {@link OutOfMemoryError}
   *       (which {@code -XX:+ExitOnOutOfMemoryError} turns into an exit);
   *   <li>{@code stack-overflow}: recurse until the thread stack is exhausted.
   * </ul>
   */
  static CrashPoints fromEnvironment() {
    String spec = System.getenv("THINIMAGE_CRASH_AT");
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    String fault = "halt";
    int colon = spec.lastIndexOf(':');
    if (colon >= 0) {
      fault = spec.substring(colon + 1);
      spec = spec.substring(0, colon);
    }
    int hash = spec.lastIndexOf('#');
    String target = hash < 0 ? spec : spec.substring(0, hash);
    int nth = hash < 0 ? 1 : Integer.parseInt(spec.substring(hash + 1));
    Runnable action =
        switch (fault) {
          case "halt" ->
              () -> {
                System.err.println("thinimage: crash point reached, halting: " + target);
                System.err.flush();
                Runtime.getRuntime().halt(137);
              };
          case "oom" -> CrashPoints::exhaustHeap;
          case "stack-overflow" -> () -> recurse(0);
          default ->
              throw new IllegalArgumentException(
                  "THINIMAGE_CRASH_AT: unknown fault " + fault + " (halt, oom, stack-overflow)");
        };
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger();
    return point -> {
      if (point.equals(target) && seen.incrementAndGet() == nth) {
        action.run();
      }
    };
  }

  /** Fills the heap with reachable arrays until the JVM throws {@link OutOfMemoryError}. */
  private static void exhaustHeap() {
    java.util.List<long[]> hog = new java.util.ArrayList<>();
    for (; ; ) {
      hog.add(new long[1 << 20]);
    }
  }

  private static int recurse(int depth) {
    return depth < 0 ? 0 : recurse(depth + 1) + 1;
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
