package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.BlobSource;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.engine.FsmDefinition.Effects;
import io.thinimage.core.engine.StepContext;
import io.thinimage.core.engine.StepResult;
import io.thinimage.core.port.ObjectStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Downloads one layer object into the blob directory, once: CHECK (is this (store, key, ETag)
 * already stored?) → FETCH (resumable, verified, into a partial file named after the run) → STORE
 * (atomic rename; blob and source rows committed with the transition). Compensation removes the
 * partial file.
 */
public final class DownloadFsm {
  /** The type name stored in runs. */
  public static final String TYPE = "download";

  /** States. */
  public enum State {
    CHECK,
    FETCH,
    STORE,
    DONE,
    COMPENSATE,
    FAILED
  }

  /** Events. */
  public enum Event {
    PRESENT,
    MISSING,
    FETCHED,
    STORED,
    PERMANENT_FAILURE,
    COMPENSATED
  }

  private DownloadFsm() {}

  /** The run's resource: one version of one object in one store. */
  public static String resourceId(String store, RemoteObject o) {
    return store + "#" + o.key() + "#" + o.etag();
  }

  /** The attributes a download run starts with. */
  public static Map<String, String> attributes(String store, RemoteObject o) {
    return Map.of(
        "store", store, "key", o.key(), "etag", o.etag(), "size", Long.toString(o.size()));
  }

  /** The blob a (store, key, ETag) is stored as, if the row and the file are both here. */
  static Optional<BlobDigest> storedBlob(LifecycleServices s, String store, RemoteObject o) {
    return s.repository()
        .read(r -> r.findBlobBySource(store, o.key(), o.etag()).flatMap(r::findBlob))
        .filter(b -> s.blobs().has(b.digest(), b.size()))
        .map(Blob::digest);
  }

  public static FsmDefinition<State, Event> definition(LifecycleServices s) {
    return FsmDefinition.builder(TYPE, State.class, Event.class)
        .ends(State.CHECK, State.DONE, State.FAILED)
        .compensation(Event.PERMANENT_FAILURE, State.COMPENSATE)
        .row(State.CHECK, Event.PRESENT, State.DONE)
        .row(State.CHECK, Event.MISSING, State.FETCH)
        .row(State.FETCH, Event.FETCHED, State.STORE)
        .row(State.STORE, Event.STORED, State.DONE)
        .row(State.COMPENSATE, Event.COMPENSATED, State.FAILED)
        .step(State.CHECK, Effects.NONE, ctx -> check(s, ctx))
        .step(State.FETCH, Effects.NONE, ctx -> fetch(s, ctx))
        .step(State.STORE, Effects.NONE, ctx -> store(s, ctx))
        .step(State.COMPENSATE, Effects.NONE, ctx -> compensate(s, ctx))
        .build();
  }

  private static RemoteObject object(StepContext ctx) {
    return new RemoteObject(
        ctx.attribute("key"), Long.parseLong(ctx.attribute("size")), ctx.attribute("etag"));
  }

  private static StepResult<Event> check(LifecycleServices s, StepContext ctx) {
    String store = ctx.attribute("store");
    RemoteObject o = object(ctx);
    Optional<BlobDigest> same = storedBlob(s, store, o);
    if (same.isPresent()) {
      return present(same.get());
    }
    // The same content under another key (identical base layers of two families): same ETag
    // and size in the same store. Recorded as a source of the stored blob; no GET at all.
    Optional<BlobDigest> twin =
        s.repository()
            .read(r -> r.findBlobByEtag(store, o.etag(), o.size()))
            .filter(d -> s.blobs().has(d, o.size()));
    if (twin.isPresent()) {
      BlobDigest d = twin.get();
      return new StepResult<>(
              Event.PRESENT,
              tx -> tx.putBlobSource(new BlobSource(store, o.key(), o.etag(), d)),
              Map.of())
          .with(Map.of("digest", d.hex(), "transferred", "0"));
    }
    return StepResult.of(Event.MISSING);
  }

  private static StepResult<Event> present(BlobDigest d) {
    return StepResult.<Event>of(Event.PRESENT).with(Map.of("digest", d.hex(), "transferred", "0"));
  }

  private static StepResult<Event> fetch(LifecycleServices s, StepContext ctx) {
    RemoteObject o = object(ctx);
    Path partial = s.blobs().partialPath(ctx.run().id());
    ctx.progress().stageStarted("download", o.key(), o.size());
    ObjectStore.Download d =
        s.objectStore()
            .download(
                o,
                partial,
                s.config().maxBlobBytes(),
                n -> ctx.progress().progress("download", o.key(), n));
    ctx.crashPoint("downloaded");
    return StepResult.of(Event.FETCHED)
        .with(
            Map.of(
                "digest", d.digest().hex(),
                "transferred", Long.toString(d.bytesTransferred())));
  }

  private static StepResult<Event> store(LifecycleServices s, StepContext ctx) {
    RemoteObject o = object(ctx);
    BlobDigest digest = new BlobDigest(ctx.attribute("digest"));
    s.blobs().commit(s.blobs().partialPath(ctx.run().id()), digest);
    ctx.crashPoint("renamed");
    ctx.progress().stageFinished("download", o.key(), false);
    String store = ctx.attribute("store");
    return StepResult.of(
        Event.STORED,
        tx -> {
          tx.putBlob(new Blob(digest, o.size(), s.clock().instant()));
          tx.putBlobSource(new BlobSource(store, o.key(), o.etag(), digest));
        });
  }

  private static StepResult<Event> compensate(LifecycleServices s, StepContext ctx) {
    s.blobs().deletePartial(s.blobs().partialPath(ctx.run().id()));
    return StepResult.of(Event.COMPENSATED);
  }
}
