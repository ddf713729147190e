package io.thinimage.core.testing;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.BlobSource;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.port.RepositoryTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An in-memory {@link ImageRepository} for tests (the project's and its users'): the same semantics
 * as the SQLite store, checked by the same {@link ImageRepositoryContract}, without a file.
 *
 * <p>Transactions are copy-on-write: a writer works on a private copy of the state and publishes it
 * only on commit, so a transaction whose work throws leaves no trace, and readers always see the
 * last committed state. Writers are serialised by one lock. On top of the port it counts commits
 * ({@link #commits()}) and can fail the next commits ({@link #failNextCommits}), to test what a
 * caller does when a commit does not happen.
 */
public final class InMemoryImageRepository implements ImageRepository {

  private static final Comparator<Instant> INSTANTS =
      Comparator.nullsFirst(Comparator.naturalOrder());

  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicInteger commits = new AtomicInteger();
  private volatile State committed = new State();
  private volatile boolean closed;

  // Guarded by writeLock.
  private int failuresLeft;
  private RuntimeException failure;

  /** An empty store. */
  public InMemoryImageRepository() {}

  /** How many write transactions have committed. */
  public int commits() {
    return commits.get();
  }

  /**
   * Makes the next {@code n} write transactions throw {@code e} at commit time, after their work
   * ran: they roll back, as a commit that failed on disk would.
   */
  public void failNextCommits(int n, RuntimeException e) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    writeLock.lock();
    try {
      failuresLeft = n;
      failure = Objects.requireNonNull(e, "e");
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public <T> T inTransaction(Function<RepositoryTransaction, T> work) {
    requireOpen();
    if (writeLock.isHeldByCurrentThread()) {
      throw new IllegalStateException("inTransaction must not be nested");
    }
    writeLock.lock();
    try {
      State working = committed.copy();
      Tx tx = new Tx(working);
      T result;
      try {
        result = work.apply(tx);
      } finally {
        tx.open = false;
      }
      if (failuresLeft > 0) {
        failuresLeft--;
        throw failure;
      }
      committed = working;
      commits.incrementAndGet();
      return result;
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public <T> T read(Function<RepositoryReader, T> query) {
    requireOpen();
    Reader reader = new Reader(committed);
    try {
      return query.apply(reader);
    } finally {
      reader.open = false;
    }
  }

  @Override
  public StoreInfo info() {
    requireOpen();
    return new StoreInfo(
        "memory:" + Integer.toHexString(System.identityHashCode(this)), 0, 0, 1, false);
  }

  /**
   * Writes a plain-text summary of the committed state to {@code target} (there is no file to
   * copy); refuses an existing target like the real store.
   */
  @Override
  public void backup(Path target) {
    requireOpen();
    if (Files.exists(target)) {
      throw ThinImageException.conflict(
          "backup-target-exists", "backup target already exists: " + target.toAbsolutePath());
    }
    State s = committed;
    String text =
        "blobs="
            + s.blobs.size()
            + "\nimages="
            + s.images.size()
            + "\nvolumes="
            + s.volumes.size()
            + "\nactivations="
            + s.activations.size()
            + "\nruns="
            + s.runs.size()
            + "\n";
    try {
      Files.writeString(target, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("repository is closed");
    }
  }

  private static ThinImageException notFound(String what) {
    return ThinImageException.notFound("row-not-found", what + " not found");
  }

  private static ThinImageException exists(String what) {
    return ThinImageException.conflict("row-exists", what + " already exists");
  }

  /** (store, key, ETag): the identity of a blob source. */
  private record SourceKey(String store, String key, String etag) {}

  /** (run, seq): the identity of a transition. */
  private record TransitionKey(String runId, int seq) implements Comparable<TransitionKey> {
    @Override
    public int compareTo(TransitionKey o) {
      int c = runId.compareTo(o.runId);
      return c != 0 ? c : Integer.compare(seq, o.seq);
    }
  }

  /** Everything stored. Records are immutable, so a copy of the maps is a full snapshot. */
  private static final class State {
    final TreeMap<BlobDigest, Blob> blobs;
    final HashMap<SourceKey, BlobSource> sources;
    final HashMap<String, Image> images;
    final TreeMap<Long, Volume> volumes;
    final HashMap<String, Activation> activations;
    final HashMap<String, Run> runs;
    final TreeMap<TransitionKey, TransitionRecord> transitions;
    long lastThinId;

    State() {
      this(
          new TreeMap<>(),
          new HashMap<>(),
          new HashMap<>(),
          new TreeMap<>(),
          new HashMap<>(),
          new HashMap<>(),
          new TreeMap<>(),
          0);
    }

    @SuppressWarnings("TooManyParameters")
    State(
        TreeMap<BlobDigest, Blob> blobs,
        HashMap<SourceKey, BlobSource> sources,
        HashMap<String, Image> images,
        TreeMap<Long, Volume> volumes,
        HashMap<String, Activation> activations,
        HashMap<String, Run> runs,
        TreeMap<TransitionKey, TransitionRecord> transitions,
        long lastThinId) {
      this.blobs = blobs;
      this.sources = sources;
      this.images = images;
      this.volumes = volumes;
      this.activations = activations;
      this.runs = runs;
      this.transitions = transitions;
      this.lastThinId = lastThinId;
    }

    State copy() {
      return new State(
          new TreeMap<>(blobs),
          new HashMap<>(sources),
          new HashMap<>(images),
          new TreeMap<>(volumes),
          new HashMap<>(activations),
          new HashMap<>(runs),
          new TreeMap<>(transitions),
          lastThinId);
    }
  }

  /** Queries over one state; "newest first" is createdAt then id descending, nulls last. */
  private static class Reader implements RepositoryReader {
    final State s;
    volatile boolean open = true;

    Reader(State s) {
      this.s = s;
    }

    void check() {
      if (!open) {
        throw new IllegalStateException("used outside its transaction or read");
      }
    }

    @Override
    public Optional<Blob> findBlob(BlobDigest digest) {
      check();
      return Optional.ofNullable(s.blobs.get(digest));
    }

    @Override
    public Optional<BlobDigest> findBlobBySource(String store, String key, String etag) {
      check();
      return Optional.ofNullable(s.sources.get(new SourceKey(store, key, etag)))
          .map(BlobSource::digest);
    }

    @Override
    public Optional<BlobDigest> findBlobByEtag(String store, String etag, long size) {
      check();
      return s.sources.values().stream()
          .filter(src -> src.store().equals(store) && src.etag().equals(etag))
          .map(BlobSource::digest)
          .filter(d -> s.blobs.containsKey(d) && s.blobs.get(d).size() == size)
          .sorted()
          .findFirst();
    }

    @Override
    public List<Blob> listBlobs() {
      check();
      return List.copyOf(s.blobs.values());
    }

    @Override
    public Optional<Image> findImage(String imageId) {
      check();
      return Optional.ofNullable(s.images.get(imageId));
    }

    @Override
    public List<Image> listImages() {
      check();
      return s.images.values().stream()
          .sorted(
              Comparator.comparing(Image::createdAt, INSTANTS).thenComparing(Image::id).reversed())
          .collect(Collectors.toUnmodifiableList());
    }

    @Override
    public Optional<Volume> findVolume(long thinId) {
      check();
      return Optional.ofNullable(s.volumes.get(thinId));
    }

    @Override
    public Optional<Volume> findChainVolume(ChainId chain) {
      check();
      return s.volumes.values().stream()
          .filter(v -> v.kind() == VolumeKind.CHAIN && chain.equals(v.chain()))
          .findFirst();
    }

    @Override
    public List<Volume> listVolumes() {
      check();
      return List.copyOf(s.volumes.values());
    }

    @Override
    public Optional<Activation> findActivation(String activationId) {
      check();
      return Optional.ofNullable(s.activations.get(activationId));
    }

    @Override
    public List<Activation> listActivations() {
      check();
      return activationsWhere(null);
    }

    @Override
    public List<Activation> listActivations(String imageId) {
      check();
      return activationsWhere(Objects.requireNonNull(imageId, "imageId"));
    }

    private List<Activation> activationsWhere(String imageId) {
      return s.activations.values().stream()
          .filter(a -> imageId == null || imageId.equals(a.imageId()))
          .sorted(
              Comparator.comparing(Activation::createdAt, INSTANTS)
                  .thenComparing(Activation::id)
                  .reversed())
          .collect(Collectors.toUnmodifiableList());
    }

    @Override
    public Optional<Run> findRun(String runId) {
      check();
      return Optional.ofNullable(s.runs.get(runId));
    }

    @Override
    public Optional<Run> findActiveRun(String type, String resourceId) {
      check();
      return activeRun(type, resourceId, null);
    }

    Optional<Run> activeRun(String type, String resourceId, String otherThan) {
      return s.runs.values().stream()
          .filter(
              r ->
                  r.status() == RunStatus.ACTIVE
                      && r.type().equals(type)
                      && r.resourceId().equals(resourceId)
                      && !r.id().equals(otherThan))
          .findFirst();
    }

    private static Comparator<Run> oldestFirst() {
      return Comparator.comparing(Run::createdAt, INSTANTS).thenComparing(Run::id);
    }

    @Override
    public List<Run> listActiveRuns() {
      check();
      return s.runs.values().stream()
          .filter(r -> r.status() == RunStatus.ACTIVE)
          .sorted(oldestFirst())
          .collect(Collectors.toUnmodifiableList());
    }

    @Override
    public List<Run> listRecentRuns(int limit) {
      check();
      if (limit < 0) {
        throw new IllegalArgumentException("negative limit: " + limit);
      }
      return s.runs.values().stream()
          .sorted(oldestFirst().reversed())
          .limit(limit)
          .collect(Collectors.toUnmodifiableList());
    }

    @Override
    public List<Run> listChildRuns(String parentRunId) {
      check();
      return s.runs.values().stream()
          .filter(r -> parentRunId.equals(r.parentId()))
          .sorted(oldestFirst())
          .collect(Collectors.toUnmodifiableList());
    }

    @Override
    public List<TransitionRecord> listTransitions(String runId) {
      check();
      return List.copyOf(
          s.transitions
              .subMap(
                  new TransitionKey(runId, Integer.MIN_VALUE),
                  true,
                  new TransitionKey(runId, Integer.MAX_VALUE),
                  true)
              .values());
    }

    @Override
    public Counts counts() {
      check();
      return new Counts(
          s.images.size(),
          s.images.values().stream().filter(i -> i.state() == ImageState.READY).count(),
          s.blobs.size(),
          s.volumes.values().stream().filter(v -> v.kind() == VolumeKind.CHAIN).count(),
          s.activations.values().stream().filter(a -> a.state() == ActivationState.ACTIVE).count(),
          s.runs.values().stream().filter(r -> r.status() == RunStatus.ACTIVE).count(),
          s.runs.values().stream().filter(r -> r.status() == RunStatus.FAILED).count());
    }
  }

  /** Writes on a private copy of the state. */
  private static final class Tx extends Reader implements RepositoryTransaction {

    Tx(State s) {
      super(s);
    }

    @Override
    public void putBlob(Blob blob) {
      check();
      s.blobs.putIfAbsent(blob.digest(), blob);
    }

    @Override
    public void putBlobSource(BlobSource source) {
      check();
      if (!s.blobs.containsKey(source.digest())) {
        throw notFound("blob " + source.digest());
      }
      SourceKey key = new SourceKey(source.store(), source.key(), source.etag());
      BlobSource existing = s.sources.putIfAbsent(key, source);
      if (existing != null && !existing.equals(source)) {
        throw exists("source " + key + " of another blob (" + existing.digest() + ")");
      }
    }

    @Override
    public void deleteBlob(BlobDigest digest) {
      check();
      if (s.blobs.remove(digest) == null) {
        throw notFound("blob " + digest);
      }
      s.sources.values().removeIf(src -> src.digest().equals(digest));
    }

    @Override
    public void putImage(Image image) {
      check();
      s.images.put(image.id(), image);
    }

    @Override
    public void deleteImage(String imageId) {
      check();
      if (s.images.remove(imageId) == null) {
        throw notFound("image " + imageId);
      }
    }

    @Override
    public long allocateThinId() {
      check();
      if (s.lastThinId >= VolumeSpec.MAX_THIN_ID) {
        throw ThinImageException.conflict(
            "thin-ids-exhausted", "every thin id below 2^24 has been used");
      }
      s.lastThinId++;
      return s.lastThinId;
    }

    @Override
    public void insertVolume(Volume volume) {
      check();
      if (s.volumes.containsKey(volume.thinId())) {
        throw exists("volume " + volume.thinId());
      }
      if (volume.kind() == VolumeKind.CHAIN && findChainVolume(volume.chain()).isPresent()) {
        throw exists("chain volume of " + volume.chain());
      }
      s.volumes.put(volume.thinId(), volume);
      // An id in use is never handed out again, even one chosen by the caller.
      s.lastThinId = Math.max(s.lastThinId, volume.thinId());
    }

    @Override
    public void updateVolume(Volume volume, VolumeState expected) {
      check();
      Volume stored = s.volumes.get(volume.thinId());
      if (stored == null) {
        throw notFound("volume " + volume.thinId());
      }
      if (stored.state() != expected) {
        throw staleState("volume " + volume.thinId(), stored.state(), expected);
      }
      if (volume.kind() == VolumeKind.CHAIN) {
        Optional<Volume> other = findChainVolume(volume.chain());
        if (other.isPresent() && other.get().thinId() != volume.thinId()) {
          throw exists("chain volume of " + volume.chain());
        }
      }
      s.volumes.put(volume.thinId(), volume);
    }

    @Override
    public void deleteVolume(long thinId) {
      check();
      if (s.volumes.remove(thinId) == null) {
        throw notFound("volume " + thinId);
      }
    }

    @Override
    public void insertActivation(Activation activation) {
      check();
      if (s.activations.putIfAbsent(activation.id(), activation) != null) {
        throw exists("activation " + activation.id());
      }
    }

    @Override
    public void updateActivation(Activation activation, ActivationState expected) {
      check();
      Activation stored = s.activations.get(activation.id());
      if (stored == null) {
        throw notFound("activation " + activation.id());
      }
      if (stored.state() != expected) {
        throw staleState("activation " + activation.id(), stored.state(), expected);
      }
      s.activations.put(activation.id(), activation);
    }

    @Override
    public void deleteActivation(String activationId) {
      check();
      if (s.activations.remove(activationId) == null) {
        throw notFound("activation " + activationId);
      }
    }

    @Override
    public void insertRun(Run run) {
      check();
      if (s.runs.containsKey(run.id())) {
        throw exists("run " + run.id());
      }
      if (run.parentId() != null && !s.runs.containsKey(run.parentId())) {
        throw notFound("parent run " + run.parentId());
      }
      requireNoOtherActive(run);
      s.runs.put(run.id(), run);
    }

    @Override
    public Run updateRun(Run run) {
      check();
      Run stored = s.runs.get(run.id());
      if (stored == null) {
        throw notFound("run " + run.id());
      }
      if (stored.version() != run.version()) {
        throw ThinImageException.conflict(
            "stale-state",
            "run " + run.id() + " is at version " + stored.version() + ", not " + run.version());
      }
      if (run.parentId() != null && !s.runs.containsKey(run.parentId())) {
        throw notFound("parent run " + run.parentId());
      }
      requireNoOtherActive(run);
      Run next = run.nextVersion();
      s.runs.put(run.id(), next);
      return next;
    }

    private void requireNoOtherActive(Run run) {
      if (run.status() != RunStatus.ACTIVE) {
        return;
      }
      Optional<Run> other = activeRun(run.type(), run.resourceId(), run.id());
      if (other.isPresent()) {
        throw ThinImageException.conflict(
            "run-already-active",
            "run "
                + other.get().id()
                + " is already active for "
                + run.type()
                + " "
                + run.resourceId());
      }
    }

    @Override
    public void appendTransition(TransitionRecord transition) {
      check();
      if (!s.runs.containsKey(transition.runId())) {
        throw notFound("run " + transition.runId());
      }
      TransitionKey key = new TransitionKey(transition.runId(), transition.seq());
      if (s.transitions.putIfAbsent(key, transition) != null) {
        throw exists("transition " + transition.seq() + " of run " + transition.runId());
      }
    }

    private static ThinImageException staleState(String what, Enum<?> actual, Enum<?> expected) {
      return ThinImageException.conflict(
          "stale-state", what + " is " + actual + ", expected " + expected);
    }
  }
}
