package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.engine.FsmDefinition.Effects;
import io.thinimage.core.engine.StepContext;
import io.thinimage.core.engine.StepResult;

/**
 * Deactivates an activation: MARK (commit DEACTIVATING/DELETING: the intent) → REMOVE (remove the
 * device and delete the snapshot, then commit INACTIVE and drop the volume row). Compensation
 * leaves the marks for gc to see; it never guesses.
 */
public final class DeactivateFsm {
  /** The type name stored in runs. */
  public static final String TYPE = "deactivate";

  /** States. */
  public enum State {
    MARK,
    REMOVE,
    DONE,
    COMPENSATE,
    FAILED
  }

  /** Events. */
  public enum Event {
    MARKED,
    ALREADY_INACTIVE,
    REMOVED,
    PERMANENT_FAILURE,
    COMPENSATED
  }

  private DeactivateFsm() {}

  public static FsmDefinition<State, Event> definition(LifecycleServices s) {
    return FsmDefinition.builder(TYPE, State.class, Event.class)
        .ends(State.MARK, State.DONE, State.FAILED)
        .compensation(Event.PERMANENT_FAILURE, State.COMPENSATE)
        .row(State.MARK, Event.MARKED, State.REMOVE)
        .row(State.MARK, Event.ALREADY_INACTIVE, State.DONE)
        .row(State.REMOVE, Event.REMOVED, State.DONE)
        .row(State.COMPENSATE, Event.COMPENSATED, State.FAILED)
        .step(State.MARK, Effects.NONE, ctx -> mark(s, ctx))
        .step(State.REMOVE, Effects.POOL, ctx -> remove(s, ctx))
        .step(State.COMPENSATE, Effects.NONE, ctx -> StepResult.of(Event.COMPENSATED))
        .build();
  }

  private static Activation activation(LifecycleServices s, String id) {
    return s.repository()
        .read(r -> r.findActivation(id))
        .orElseThrow(
            () -> ThinImageException.notFound("activation-not-found", "no activation " + id));
  }

  private static StepResult<Event> mark(LifecycleServices s, StepContext ctx) {
    Activation a = activation(s, ctx.run().resourceId());
    if (a.state() == ActivationState.INACTIVE || a.state() == ActivationState.FAILED) {
      return StepResult.of(Event.ALREADY_INACTIVE);
    }
    if (a.state() == ActivationState.PENDING) {
      throw ThinImageException.conflict(
          "activation-pending", "activation " + a.id() + " is still being created");
    }
    return StepResult.of(
        Event.MARKED,
        tx -> {
          var now = s.clock().instant();
          if (a.state() != ActivationState.DEACTIVATING) {
            tx.updateActivation(
                a.withState(ActivationState.DEACTIVATING, a.devicePath(), now), a.state());
          }
          tx.findVolume(a.thinId())
              .filter(v -> v.state() != VolumeState.DELETING)
              .ifPresent(v -> tx.updateVolume(v.withState(VolumeState.DELETING, now), v.state()));
        });
  }

  private static StepResult<Event> remove(LifecycleServices s, StepContext ctx) {
    Activation a = activation(s, ctx.run().resourceId());
    var volume = s.repository().read(r -> r.findVolume(a.thinId()));
    if (volume.isPresent()) {
      Volume v = volume.get();
      s.pool().deactivate(v.spec());
      s.pool().delete(v.spec());
      ctx.crashPoint("deleted");
    }
    return StepResult.of(
        Event.REMOVED,
        tx -> {
          var now = s.clock().instant();
          if (tx.findVolume(a.thinId()).isPresent()) {
            tx.deleteVolume(a.thinId());
          }
          Activation current = tx.findActivation(a.id()).orElseThrow();
          tx.updateActivation(
              current.withState(ActivationState.INACTIVE, null, now), current.state());
        });
  }
}
