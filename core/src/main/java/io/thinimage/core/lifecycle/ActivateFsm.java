package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.engine.FsmDefinition.Effects;
import io.thinimage.core.engine.StepContext;
import io.thinimage.core.engine.StepResult;
import io.thinimage.core.port.RepositoryTransaction;
import java.util.Map;
import java.util.Optional;

/**
 * Activates an image: PLAN (reserve a thin id, commit the activation and its volume as intents) →
 * SNAPSHOT (thin snapshot of the image's top chain volume) → EXPOSE (activate the device; the
 * activation becomes ACTIVE with its device path). Compensation removes the snapshot.
 */
public final class ActivateFsm {
  /** The type name stored in runs. */
  public static final String TYPE = "activate";

  /** States. */
  public enum State {
    PLAN,
    SNAPSHOT,
    EXPOSE,
    DONE,
    COMPENSATE,
    FAILED
  }

  /** Events. */
  public enum Event {
    PLANNED,
    SNAPSHOTTED,
    EXPOSED,
    PERMANENT_FAILURE,
    COMPENSATED
  }

  private ActivateFsm() {}

  /** The activation id a run creates: derived from the run id, so a re-run never makes two. */
  public static String activationIdFor(String runId) {
    return "act-" + (runId.startsWith("run-") ? runId.substring(4) : runId);
  }

  public static FsmDefinition<State, Event> definition(LifecycleServices s) {
    return FsmDefinition.builder(TYPE, State.class, Event.class)
        .ends(State.PLAN, State.DONE, State.FAILED)
        .compensation(Event.PERMANENT_FAILURE, State.COMPENSATE)
        .row(State.PLAN, Event.PLANNED, State.SNAPSHOT)
        .row(State.SNAPSHOT, Event.SNAPSHOTTED, State.EXPOSE)
        .row(State.EXPOSE, Event.EXPOSED, State.DONE)
        .row(State.COMPENSATE, Event.COMPENSATED, State.FAILED)
        .step(State.PLAN, Effects.NONE, ctx -> plan(s, ctx))
        .step(State.SNAPSHOT, Effects.POOL, ctx -> snapshot(s, ctx))
        .step(State.EXPOSE, Effects.POOL, ctx -> expose(s, ctx))
        .step(State.COMPENSATE, Effects.POOL, ctx -> compensate(s, ctx))
        .build();
  }

  private static StepResult<Event> plan(LifecycleServices s, StepContext ctx) {
    String imageId = ctx.attribute("imageId");
    String activationId = activationIdFor(ctx.run().id());
    long thinId =
        s.repository()
            .inTransaction(
                tx -> {
                  Optional<Activation> existing = tx.findActivation(activationId);
                  if (existing.isPresent()) {
                    return existing.get().thinId();
                  }
                  Image image =
                      tx.findImage(imageId)
                          .orElseThrow(
                              () ->
                                  ThinImageException.notFound(
                                      "image-not-found", "no image " + imageId));
                  if (image.state() != ImageState.READY || image.topChain() == null) {
                    throw ThinImageException.conflict(
                        "image-not-ready", "image " + imageId + " is " + image.state());
                  }
                  Volume top = topVolume(tx, image);
                  long id = tx.allocateThinId();
                  var now = s.clock().instant();
                  tx.insertVolume(
                      new Volume(
                          id,
                          VolumeKind.ACTIVATION,
                          null,
                          top.thinId(),
                          top.virtualSizeBytes(),
                          VolumeState.PLANNED,
                          ctx.run().id(),
                          now,
                          now));
                  tx.insertActivation(
                      new Activation(
                          activationId, imageId, id, ActivationState.PENDING, null, now, now));
                  return id;
                });
    ctx.crashPoint("reserved");
    return StepResult.of(Event.PLANNED)
        .with(Map.of("thinId", Long.toString(thinId), "activationId", activationId));
  }

  private static Volume topVolume(RepositoryTransaction tx, Image image) {
    return tx.findChainVolume(image.topChain())
        .filter(v -> v.state() == VolumeState.READY)
        .orElseThrow(
            () ->
                ThinImageException.conflict(
                    "image-volume-not-ready",
                    "the top volume of image " + image.id() + " is not ready"));
  }

  private static Volume volume(LifecycleServices s, long thinId) {
    return s.repository()
        .read(r -> r.findVolume(thinId))
        .orElseThrow(() -> ThinImageException.notFound("volume-missing", "no volume " + thinId));
  }

  private static StepResult<Event> snapshot(LifecycleServices s, StepContext ctx) {
    Volume v = volume(s, Long.parseLong(ctx.attribute("thinId")));
    Volume origin = volume(s, v.parentThinId());
    s.pool().createSnapshot(origin.spec(), v.spec());
    ctx.crashPoint("snapshotted");
    return StepResult.of(
        Event.SNAPSHOTTED,
        tx -> {
          Volume current = tx.findVolume(v.thinId()).orElseThrow();
          if (current.state() == VolumeState.PLANNED) {
            tx.updateVolume(
                current.withState(VolumeState.CREATED, s.clock().instant()), VolumeState.PLANNED);
          }
        });
  }

  private static StepResult<Event> expose(LifecycleServices s, StepContext ctx) {
    Volume v = volume(s, Long.parseLong(ctx.attribute("thinId")));
    String path = s.pool().activate(v.spec());
    ctx.crashPoint("activated");
    String activationId = ctx.attribute("activationId");
    return StepResult.of(
        Event.EXPOSED,
        tx -> {
          var now = s.clock().instant();
          tx.updateVolume(v.withState(VolumeState.READY, now), v.state());
          Activation a = tx.findActivation(activationId).orElseThrow();
          tx.updateActivation(a.withState(ActivationState.ACTIVE, path, now), a.state());
        });
  }

  private static StepResult<Event> compensate(LifecycleServices s, StepContext ctx) {
    String id = ctx.attributes().get("thinId");
    if (id == null) {
      return StepResult.of(Event.COMPENSATED);
    }
    long thinId = Long.parseLong(id);
    String activationId = ctx.attribute("activationId");
    Optional<Volume> v = s.repository().read(r -> r.findVolume(thinId));
    if (v.isPresent()) {
      VolumeSpec spec = v.get().spec();
      s.pool().deactivate(spec);
      s.pool().delete(spec);
      ctx.crashPoint("deleted");
    }
    return StepResult.of(
        Event.COMPENSATED,
        tx -> {
          if (tx.findVolume(thinId).isPresent()) {
            tx.deleteVolume(thinId);
          }
          tx.findActivation(activationId)
              .filter(a -> a.state() != ActivationState.FAILED)
              .ifPresent(
                  a ->
                      tx.updateActivation(
                          a.withState(ActivationState.FAILED, null, s.clock().instant()),
                          a.state()));
        });
  }
}
