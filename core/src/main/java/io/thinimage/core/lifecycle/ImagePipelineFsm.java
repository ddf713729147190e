package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.engine.FsmDefinition.Effects;
import io.thinimage.core.engine.FsmEngine;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.StepContext;
import io.thinimage.core.engine.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chains the stages for one image durably: RESOLVE (list the reference's layers) → FETCH (a
 * download run per missing blob) → BUILD (an unpack run per chain not built yet) → ACTIVATE (an
 * activation run, unless a live one is reused). Each stage's children are runs of their own; after
 * a crash the pipeline resumes in its stage and the children in theirs, with no human re-running
 * anything. Compensation marks the image FAILED with the reason.
 */
public final class ImagePipelineFsm {
  /** The type name stored in runs. */
  public static final String TYPE = "image";

  /** States. */
  public enum State {
    RESOLVE,
    FETCH,
    BUILD,
    ACTIVATE,
    DONE,
    COMPENSATE,
    FAILED
  }

  /** Events. */
  public enum Event {
    RESOLVED,
    FETCHED,
    BUILT,
    ACTIVATED,
    REUSED,
    SKIPPED,
    PERMANENT_FAILURE,
    COMPENSATED
  }

  private ImagePipelineFsm() {}

  /** The attributes a pipeline run starts with. */
  public static Map<String, String> attributes(
      String store, ImageReference ref, boolean activate, boolean newActivation) {
    return Map.of(
        "store", store,
        "reference", ref.value(),
        "activate", Boolean.toString(activate),
        "newActivation", Boolean.toString(newActivation));
  }

  /** The definitions the pipeline drives, so it can start child runs. */
  public record Children(
      FsmDefinition<DownloadFsm.State, DownloadFsm.Event> download,
      FsmDefinition<UnpackFsm.State, UnpackFsm.Event> unpack,
      FsmDefinition<ActivateFsm.State, ActivateFsm.Event> activate) {}

  public static FsmDefinition<State, Event> definition(LifecycleServices s, Children children) {
    return FsmDefinition.builder(TYPE, State.class, Event.class)
        .ends(State.RESOLVE, State.DONE, State.FAILED)
        .compensation(Event.PERMANENT_FAILURE, State.COMPENSATE)
        .row(State.RESOLVE, Event.RESOLVED, State.FETCH)
        .row(State.FETCH, Event.FETCHED, State.BUILD)
        .row(State.BUILD, Event.BUILT, State.ACTIVATE)
        .row(State.ACTIVATE, Event.ACTIVATED, State.DONE)
        .row(State.ACTIVATE, Event.REUSED, State.DONE)
        .row(State.ACTIVATE, Event.SKIPPED, State.DONE)
        .row(State.COMPENSATE, Event.COMPENSATED, State.FAILED)
        .step(State.RESOLVE, Effects.NONE, ctx -> resolve(s, ctx))
        .step(State.FETCH, Effects.NONE, ctx -> fetch(s, ctx, children))
        .step(State.BUILD, Effects.NONE, ctx -> build(s, ctx, children))
        .step(State.ACTIVATE, Effects.NONE, ctx -> activate(s, ctx, children))
        .step(State.COMPENSATE, Effects.NONE, ctx -> compensate(s, ctx))
        .build();
  }

  private static Image image(LifecycleServices s, StepContext ctx) {
    return s.repository().read(r -> r.findImage(ctx.run().resourceId())).orElseThrow();
  }

  private static StepResult<Event> resolve(LifecycleServices s, StepContext ctx) {
    String store = ctx.attribute("store");
    ImageReference ref = new ImageReference(ctx.attribute("reference"));
    List<RemoteObject> objects = s.objectStore().resolve(ref);
    String imageId = ctx.run().resourceId();
    Optional<Image> existing = s.repository().read(r -> r.findImage(imageId));
    var now = s.clock().instant();
    boolean unchanged =
        existing.isPresent()
            && existing.get().layers().stream().map(ImageLayer::object).toList().equals(objects);
    Image image;
    if (unchanged) {
      Image e = existing.get();
      image = e.state() == ImageState.FAILED ? e.withState(ImageState.PENDING, null, null, now) : e;
    } else {
      var layers = new ArrayList<ImageLayer>();
      for (int i = 0; i < objects.size(); i++) {
        layers.add(new ImageLayer(i + 1, objects.get(i), null, null));
      }
      image =
          existing
              .map(
                  e ->
                      e.withLayers(layers, null, now)
                          .withState(ImageState.PENDING, null, null, now))
              .orElse(
                  new Image(
                      imageId, store, ref, layers, null, ImageState.PENDING, null, null, now, now));
    }
    Image toStore = image;
    return StepResult.of(Event.RESOLVED, tx -> tx.putImage(toStore));
  }

  private static StepResult<Event> fetch(LifecycleServices s, StepContext ctx, Children children) {
    String store = ctx.attribute("store");
    Image image = image(s, ctx);
    int downloaded = 0;
    long bytes = 0;
    var digests = new ArrayList<BlobDigest>();
    for (ImageLayer layer : image.layers()) {
      RemoteObject o = layer.object();
      // A blob is only needed to build its chain: once that chain's volume is ready (the layers
      // are unchanged, so the recorded digest still holds) the blob may be gone — gc's retention
      // drops such cached blobs — and is not fetched again.
      if (layer.digest() != null && chainReady(s, layer.chain())) {
        ctx.progress().stageFinished("download", o.key(), true);
        digests.add(layer.digest());
        continue;
      }
      Optional<BlobDigest> stored = DownloadFsm.storedBlob(s, store, o);
      if (stored.isPresent()) {
        ctx.progress().stageFinished("download", o.key(), true);
        digests.add(stored.get());
        continue;
      }
      Run child = download(s, ctx, children, store, o);
      long transferred = Long.parseLong(child.attributes().getOrDefault("transferred", "0"));
      if (transferred > 0) {
        downloaded++;
        bytes += transferred;
      }
      digests.add(new BlobDigest(child.attribute("digest")));
    }
    List<ChainId> chains = ChainId.chainsOf(digests);
    var layers = new ArrayList<ImageLayer>();
    for (int i = 0; i < image.layers().size(); i++) {
      layers.add(image.layers().get(i).withDigest(digests.get(i), chains.get(i)));
    }
    Image updated = image.withLayers(layers, chains.get(chains.size() - 1), s.clock().instant());
    return StepResult.of(Event.FETCHED, tx -> tx.putImage(updated))
        .with(Map.of("downloaded", Integer.toString(downloaded), "bytes", Long.toString(bytes)));
  }

  /** Downloads one layer object in a child run and returns the finished run. */
  private static Run download(
      LifecycleServices s, StepContext ctx, Children children, String store, RemoteObject o) {
    Run child =
        ctx.engine()
            .run(
                children.download(),
                DownloadFsm.resourceId(store, o),
                DownloadFsm.attributes(store, o),
                ctx.run().id(),
                ctx.progress());
    requireSucceeded(child);
    return child;
  }

  private static boolean chainReady(LifecycleServices s, ChainId chain) {
    return chain != null
        && s.repository()
            .read(r -> r.findChainVolume(chain))
            .filter(v -> v.state() == VolumeState.READY)
            .isPresent();
  }

  private static StepResult<Event> build(LifecycleServices s, StepContext ctx, Children children) {
    Image image = image(s, ctx);
    int built = 0;
    ChainId parent = null;
    for (ImageLayer layer : image.layers()) {
      ChainId chain = layer.chain();
      if (chainReady(s, chain)) {
        ctx.progress().stageFinished("unpack", layer.object().key(), true);
      } else {
        // FETCH skipped blobs whose chain was ready then; if that chain went missing since (a
        // restart's reconcile forgot its volume), fetch the blob again before building it.
        String store = ctx.attribute("store");
        if (DownloadFsm.storedBlob(s, store, layer.object()).isEmpty()) {
          download(s, ctx, children, store, layer.object());
        }
        Run child =
            ctx.engine()
                .run(
                    children.unpack(),
                    chain.toString(),
                    UnpackFsm.attributes(chain, parent, layer.digest(), layer.object().key()),
                    ctx.run().id(),
                    ctx.progress());
        requireSucceeded(child);
        built++;
      }
      parent = chain;
    }
    Image ready = image.withState(ImageState.READY, null, null, s.clock().instant());
    return StepResult.of(Event.BUILT, tx -> tx.putImage(ready))
        .with(Map.of("built", Integer.toString(built)));
  }

  private static StepResult<Event> activate(
      LifecycleServices s, StepContext ctx, Children children) {
    if (!Boolean.parseBoolean(ctx.attribute("activate"))) {
      return StepResult.of(Event.SKIPPED);
    }
    String imageId = ctx.run().resourceId();
    // A child of this very run that already finished (crash before this step committed).
    Optional<Run> done =
        s.repository().read(r -> r.listChildRuns(ctx.run().id())).stream()
            .filter(r -> r.type().equals(ActivateFsm.TYPE) && r.status() == RunStatus.SUCCEEDED)
            .findFirst();
    if (done.isPresent()) {
      return StepResult.of(Event.ACTIVATED)
          .with(Map.of("activationId", done.get().attribute("activationId")));
    }
    if (!Boolean.parseBoolean(ctx.attribute("newActivation"))) {
      Optional<Activation> live =
          s.repository().read(r -> r.listActivations(imageId)).stream()
              .filter(a -> a.state() == ActivationState.ACTIVE)
              .findFirst();
      if (live.isPresent()) {
        return StepResult.of(Event.REUSED).with(Map.of("activationId", live.get().id()));
      }
    }
    Run child =
        ctx.engine()
            .run(
                children.activate(),
                "for:" + ctx.run().id(),
                Map.of("imageId", imageId),
                ctx.run().id(),
                ctx.progress());
    requireSucceeded(child);
    return StepResult.of(Event.ACTIVATED)
        .with(Map.of("activationId", child.attribute("activationId")));
  }

  private static StepResult<Event> compensate(LifecycleServices s, StepContext ctx) {
    String code = ctx.run().errorCode();
    String message = ctx.run().errorMessage();
    String imageId = ctx.run().resourceId();
    return StepResult.of(
        Event.COMPENSATED,
        tx ->
            tx.findImage(imageId)
                .ifPresent(
                    i ->
                        tx.putImage(
                            i.withState(ImageState.FAILED, code, message, s.clock().instant()))));
  }

  private static void requireSucceeded(Run child) {
    if (child.status() != RunStatus.SUCCEEDED) {
      throw FsmEngine.failureOf(child);
    }
  }
}
