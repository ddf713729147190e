package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.engine.FsmDefinition.Effects;
import io.thinimage.core.engine.StepContext;
import io.thinimage.core.engine.StepResult;
import io.thinimage.core.layer.ApplyReport;
import io.thinimage.core.layer.RootFilesystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the volume of one layer chain: PLAN (reserve a thin id and commit the volume row — the
 * intent — before any device exists) → CREATE (snapshot the parent chain's volume, or a fresh
 * volume with a filesystem for the bottom layer) → APPLY (mount, apply the layer, unmount; a re-run
 * first resets the volume, so a half-applied layer never survives) → SEAL (mark READY).
 * Compensation deletes the half-built volume and its row.
 */
public final class UnpackFsm {
  private static final Logger log = LoggerFactory.getLogger(UnpackFsm.class);

  /** The type name stored in runs. */
  public static final String TYPE = "unpack";

  /** States. */
  public enum State {
    PLAN,
    CREATE,
    APPLY,
    SEAL,
    DONE,
    COMPENSATE,
    FAILED
  }

  /** Events. */
  public enum Event {
    ALREADY_BUILT,
    PLANNED,
    CREATED,
    APPLIED,
    SEALED,
    PERMANENT_FAILURE,
    COMPENSATED
  }

  private UnpackFsm() {}

  /** The attributes an unpack run starts with; {@code parent} is null for the bottom layer. */
  public static Map<String, String> attributes(
      ChainId chain, ChainId parent, BlobDigest layer, String key) {
    return Map.of(
        "chain",
        chain.toString(),
        "parentChain",
        parent == null ? "" : parent.toString(),
        "digest",
        layer.hex(),
        "key",
        key);
  }

  public static FsmDefinition<State, Event> definition(LifecycleServices s) {
    return FsmDefinition.builder(TYPE, State.class, Event.class)
        .ends(State.PLAN, State.DONE, State.FAILED)
        .compensation(Event.PERMANENT_FAILURE, State.COMPENSATE)
        .row(State.PLAN, Event.ALREADY_BUILT, State.DONE)
        .row(State.PLAN, Event.PLANNED, State.CREATE)
        .row(State.CREATE, Event.CREATED, State.APPLY)
        .row(State.APPLY, Event.APPLIED, State.SEAL)
        .row(State.SEAL, Event.SEALED, State.DONE)
        .row(State.COMPENSATE, Event.COMPENSATED, State.FAILED)
        .step(State.PLAN, Effects.NONE, ctx -> plan(s, ctx))
        .step(State.CREATE, Effects.POOL, ctx -> create(s, ctx))
        .step(State.APPLY, Effects.POOL, ctx -> apply(s, ctx))
        .step(State.SEAL, Effects.POOL, ctx -> seal(s, ctx))
        .step(State.COMPENSATE, Effects.POOL, ctx -> compensate(s, ctx))
        .build();
  }

  private static StepResult<Event> plan(LifecycleServices s, StepContext ctx) {
    ChainId chain = ChainId.parse(ctx.attribute("chain"));
    Long parentThin = parentVolume(s, ctx).map(Volume::thinId).orElse(null);
    // The intent: id reserved and row committed before any device exists. Its own transaction,
    // so a crash before the transition commits finds the row (owned by this run) and adopts it.
    long thinId =
        s.repository()
            .inTransaction(
                tx -> {
                  Optional<Volume> existing = tx.findChainVolume(chain);
                  if (existing.isPresent()) {
                    return existing.get().state() == VolumeState.READY
                        ? -1L
                        : existing.get().thinId();
                  }
                  long id = tx.allocateThinId();
                  var now = s.clock().instant();
                  tx.insertVolume(
                      new Volume(
                          id,
                          VolumeKind.CHAIN,
                          chain,
                          parentThin,
                          s.config().volumeSizeBytes(),
                          VolumeState.PLANNED,
                          ctx.run().id(),
                          now,
                          now));
                  return id;
                });
    if (thinId < 0) {
      return StepResult.of(Event.ALREADY_BUILT);
    }
    ctx.crashPoint("reserved");
    return StepResult.of(Event.PLANNED).with(Map.of("thinId", Long.toString(thinId)));
  }

  private static Optional<Volume> parentVolume(LifecycleServices s, StepContext ctx) {
    String parent = ctx.attribute("parentChain");
    if (parent.isEmpty()) {
      return Optional.empty();
    }
    Volume v =
        s.repository()
            .read(r -> r.findChainVolume(ChainId.parse(parent)))
            .filter(p -> p.state() == VolumeState.READY)
            .orElseThrow(
                () ->
                    ThinImageException.notFound(
                        "parent-volume-missing",
                        "the volume of the parent chain is not ready: " + parent));
    return Optional.of(v);
  }

  private static Volume volume(LifecycleServices s, StepContext ctx) {
    long id = Long.parseLong(ctx.attribute("thinId"));
    return s.repository()
        .read(r -> r.findVolume(id))
        .orElseThrow(() -> ThinImageException.notFound("volume-missing", "no volume row " + id));
  }

  /** Creates the device: a snapshot of the parent, or a fresh volume. Idempotent in the pool. */
  private static void createDevice(LifecycleServices s, StepContext ctx, VolumeSpec spec) {
    Optional<Volume> parent = parentVolume(s, ctx);
    if (parent.isPresent()) {
      s.pool().createSnapshot(parent.get().spec(), spec);
    } else {
      s.pool().createVolume(spec);
    }
  }

  private static StepResult<Event> create(LifecycleServices s, StepContext ctx) {
    Volume v = volume(s, ctx);
    createDevice(s, ctx, v.spec());
    ctx.crashPoint("created");
    return StepResult.of(Event.CREATED, tx -> moveTo(tx, v.thinId(), VolumeState.CREATED, s));
  }

  private static void moveTo(
      io.thinimage.core.port.RepositoryTransaction tx,
      long thinId,
      VolumeState to,
      LifecycleServices s) {
    Volume current =
        tx.findVolume(thinId)
            .orElseThrow(
                () -> ThinImageException.notFound("volume-missing", "no volume " + thinId));
    if (current.state() != to) {
      tx.updateVolume(current.withState(to, s.clock().instant()), current.state());
    }
  }

  private static StepResult<Event> apply(LifecycleServices s, StepContext ctx) {
    Volume v = volume(s, ctx);
    VolumeSpec spec = v.spec();
    if (ctx.mayHavePartialEffects()) {
      // An earlier attempt may have applied part of the layer: start again from the parent.
      s.pool().unmount(spec);
      s.pool().delete(spec);
      ctx.crashPoint("reset-deleted");
      createDevice(s, ctx, spec);
    }
    String key = ctx.attribute("key");
    BlobDigest digest = new BlobDigest(ctx.attribute("digest"));
    Path root = s.pool().mount(spec);
    ctx.crashPoint("mounted");
    try {
      RootFilesystem fs = s.rootFilesystems().open(root);
      ctx.progress().stageStarted("unpack", key, -1);
      try (InputStream in = s.blobs().open(digest)) {
        ApplyReport report = s.applier().apply(in, digest, fs);
        if (report.xattrsSkipped() > 0 || report.devicesSkipped() > 0) {
          // Not an error (the rules drop them on purpose), but what the tree lacks is worth a line.
          log.info(
              "layer {}: {} extended attributes and {} device nodes not applied",
              key,
              report.xattrsSkipped(),
              report.devicesSkipped());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ctx.crashPoint("applied");
    } finally {
      s.pool().unmount(spec);
    }
    ctx.progress().stageFinished("unpack", key, false);
    return StepResult.of(Event.APPLIED);
  }

  private static StepResult<Event> seal(LifecycleServices s, StepContext ctx) {
    Volume v = volume(s, ctx);
    s.pool().unmount(v.spec());
    return StepResult.of(Event.SEALED, tx -> moveTo(tx, v.thinId(), VolumeState.READY, s));
  }

  private static StepResult<Event> compensate(LifecycleServices s, StepContext ctx) {
    String id = ctx.attributes().get("thinId");
    if (id == null) {
      return StepResult.of(Event.COMPENSATED);
    }
    long thinId = Long.parseLong(id);
    Optional<Volume> v = s.repository().read(r -> r.findVolume(thinId));
    if (v.isPresent() && v.get().state() == VolumeState.READY) {
      // Never undo a finished chain (another run completed it): it is shared and valid.
      return StepResult.of(Event.COMPENSATED);
    }
    VolumeSpec spec = VolumeSpec.of(thinId, s.config().volumeSizeBytes());
    if (v.isPresent()) {
      spec = v.get().spec();
    }
    s.pool().unmount(spec);
    s.pool().delete(spec);
    ctx.crashPoint("deleted");
    return StepResult.of(
        Event.COMPENSATED,
        tx -> {
          if (tx.findVolume(thinId).isPresent()) {
            tx.deleteVolume(thinId);
          }
        });
  }
}
