package io.thinimage.core.engine;

import io.thinimage.core.api.ProgressListener;
import java.time.Clock;
import java.util.Map;

/**
 * What a step sees: its run (as committed, with the attempt already counted), the clock, progress,
 * crash points, and the engine for durable child runs.
 *
 * @param run the run, its attempt of the current state already committed
 * @param engine the engine, for starting and driving child runs
 * @param clock the injected clock
 * @param progress where to report progress
 * @param crashPoints test seam for points inside the step
 */
public record StepContext(
    Run run, FsmEngine engine, Clock clock, ProgressListener progress, CrashPoints crashPoints) {

  /** 1 on the first attempt of this state; more when re-running over possibly partial effects. */
  public int attempt() {
    return run.attempt();
  }

  /** Whether this state may have run before (a retry, or a restart after a crash). */
  public boolean mayHavePartialEffects() {
    return run.attempt() > 1;
  }

  public String attribute(String key) {
    return run.attribute(key);
  }

  public Map<String, String> attributes() {
    return run.attributes();
  }

  /** Marks a named crash point inside the step: {@code <type>/<state>/<name>}. */
  public void crashPoint(String name) {
    crashPoints.reached(run.type() + "/" + run.state() + "/" + name);
  }
}
