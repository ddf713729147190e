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
