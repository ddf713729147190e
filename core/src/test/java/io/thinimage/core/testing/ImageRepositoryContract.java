package io.thinimage.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.BlobSource;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link ImageRepository} must have. Subclass it once per implementation and
 * provide a fresh, empty store kept under the given directory.
 *
 * <p>Beyond the port's Javadoc, it pins what callers may rely on: inserting a row whose key is
 * taken is a CONFLICT {@code row-exists}; a blob source or a transition needs its blob or run
 * (NOT_FOUND {@code row-not-found}); "newest first" means by {@code createdAt} then id, descending;
 * a thin id used by an inserted volume is never allocated later; instants round-trip to the
 * nanosecond.
 */
public abstract class ImageRepositoryContract {

  /** Per-test directory the store may live in. */
  @TempDir protected Path dir;

  /** The store under test, fresh for each test and closed after it. */
  protected ImageRepository repo;

  /** A new, empty store kept under {@code dir}. */
  protected abstract ImageRepository newRepository(Path dir);

  @BeforeEach
  void openRepository() {
    repo = newRepository(dir);
  }

  @AfterEach
  void closeRepository() {
    repo.close();
  }

  // ---------------------------------------------------------------- fixtures

  /** A base instant with a nanosecond part, so precision losses show. */
  protected static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

  protected static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  protected static BlobDigest digest(int n) {
    return BlobDigest.sha256("blob-" + n);
  }

  protected static Blob blob(int n) {
    return new Blob(digest(n), 1000L + n, at(n));
  }

  protected static Image image(String id, int created, ImageState state) {
    RemoteObject o1 = new RemoteObject("images/" + id + "/1.tar", 100, "\"etag-1\"");
    RemoteObject o2 = new RemoteObject("images/" + id + "/2.tar", 200, "\"etag-2\"");
    ChainId c1 = ChainId.ofBase(digest(1));
    return new Image(
        id,
        "s3://bucket",
        new ImageReference("images/" + id + "/"),
        List.of(new ImageLayer(1, o1, digest(1), c1), new ImageLayer(2, o2, null, null)),
        null,
        state,
        null,
        null,
        at(created),
        at(created + 1));
  }

  protected static Volume chainVolume(long thinId, ChainId chain, VolumeState state) {
    return new Volume(
        thinId, VolumeKind.CHAIN, chain, null, 10L << 30, state, "run-owner", at(0), at(1));
  }

  protected static Volume activationVolume(long thinId, long parent, VolumeState state) {
    return new Volume(
        thinId, VolumeKind.ACTIVATION, null, parent, 20L << 30, state, null, at(2), at(3));
  }

  protected static Activation activation(String id, String imageId, int created) {
    return new Activation(id, imageId, 7, ActivationState.PENDING, null, at(created), at(created));
  }

  protected static Run run(String id, String type, String resource, RunStatus status, int created) {
    return new Run(
        id,
        type,
        resource,
        "START",
        status,
        0,
        null,
        Map.of(),
        null,
        null,
        null,
        at(created),
        at(created),
        0);
  }

  protected static TransitionRecord transition(String runId, int seq) {
    return new TransitionRecord(
        runId, seq, "S" + seq, "ok", "S" + (seq + 1), null, null, at(seq), seq * 10L);
  }

  protected void write(Consumer<RepositoryTransaction> work) {
    repo.inTransaction(
        tx -> {
          work.accept(tx);
          return null;
        });
  }

  protected <T> T read(java.util.function.Function<RepositoryReader, T> query) {
    return repo.read(query);
  }

  protected static void assertError(ErrorKind kind, String code, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).as("kind of %s", e.getMessage()).isEqualTo(kind);
              assertThat(e.code()).as("code of %s", e.getMessage()).isEqualTo(code);
            });
  }

  // ---------------------------------------------------------------- empty store

  @Test
  void aNewStoreIsEmpty() {
    read(
        (RepositoryReader r) -> {
          assertThat(r.listBlobs()).isEmpty();
          assertThat(r.listImages()).isEmpty();
          assertThat(r.listVolumes()).isEmpty();
          assertThat(r.listActivations()).isEmpty();
          assertThat(r.listActivations("img-x")).isEmpty();
          assertThat(r.listActiveRuns()).isEmpty();
          assertThat(r.listRecentRuns(10)).isEmpty();
          assertThat(r.listChildRuns("run-x")).isEmpty();
          assertThat(r.listTransitions("run-x")).isEmpty();
          assertThat(r.findBlob(digest(1))).isEmpty();
          assertThat(r.findBlobBySource("s", "k", "e")).isEmpty();
          assertThat(r.findImage("img-x")).isEmpty();
          assertThat(r.findVolume(1)).isEmpty();
          assertThat(r.findChainVolume(ChainId.ofBase(digest(1)))).isEmpty();
          assertThat(r.findActivation("act-x")).isEmpty();
          assertThat(r.findRun("run-x")).isEmpty();
          assertThat(r.findActiveRun("pull", "img-x")).isEmpty();
          assertThat(r.counts()).isEqualTo(new RepositoryReader.Counts(0, 0, 0, 0, 0, 0, 0));
          return null;
        });
  }

  // ---------------------------------------------------------------- blobs

  @Test
  void blobsRoundTripAndListByDigest() {
    write(
        tx -> {
          for (int i = 1; i <= 5; i++) {
            tx.putBlob(blob(i));
          }
        });

    assertThat(read((RepositoryReader r) -> r.findBlob(digest(3)))).contains(blob(3));
    List<Blob> all = read(RepositoryReader::listBlobs);
    assertThat(all).hasSize(5).isSortedAccordingTo((a, b) -> a.digest().compareTo(b.digest()));
    assertThat(all).containsExactlyInAnyOrder(blob(1), blob(2), blob(3), blob(4), blob(5));
  }

  @Test
  void puttingAStoredBlobAgainKeepsTheFirst() {
    write(tx -> tx.putBlob(blob(1)));
    write(tx -> tx.putBlob(new Blob(digest(1), 1, at(99))));

    assertThat(read((RepositoryReader r) -> r.findBlob(digest(1)))).contains(blob(1));
  }

  @Test
  void blobSourcesMapToTheirBlob() {
    write(
        tx -> {
          tx.putBlob(blob(1));
          tx.putBlobSource(new BlobSource("s3://b", "images/a/1.tar", "\"e1\"", digest(1)));
          tx.putBlobSource(new BlobSource("s3://b", "images/a/1.tar", "\"e1\"", digest(1)));
        });

    assertThat(
            read((RepositoryReader r) -> r.findBlobBySource("s3://b", "images/a/1.tar", "\"e1\"")))
        .contains(digest(1));
    assertThat(
            read((RepositoryReader r) -> r.findBlobBySource("s3://b", "images/a/1.tar", "\"e2\"")))
        .isEmpty();
    assertThat(
            read((RepositoryReader r) -> r.findBlobBySource("s3://c", "images/a/1.tar", "\"e1\"")))
        .isEmpty();
  }

  @Test
  void aBlobIsFoundByEtagAndSizeUnderAnotherKeyOfTheSameStore() {
    long size = read((RepositoryReader r) -> r.listBlobs()).isEmpty() ? blob(1).size() : -1;
    write(
        tx -> {
          tx.putBlob(blob(1));
          tx.putBlobSource(new BlobSource("s3://b", "images/go/1.tar", "\"e1\"", digest(1)));
        });

    assertThat(read((RepositoryReader r) -> r.findBlobByEtag("s3://b", "\"e1\"", size)))
        .contains(digest(1));
    assertThat(read((RepositoryReader r) -> r.findBlobByEtag("s3://b", "\"e1\"", size + 1)))
        .isEmpty();
    assertThat(read((RepositoryReader r) -> r.findBlobByEtag("s3://c", "\"e1\"", size))).isEmpty();
    assertThat(read((RepositoryReader r) -> r.findBlobByEtag("s3://b", "\"e2\"", size))).isEmpty();
  }

  @Test
  void aSourceOfAnUnknownBlobIsNotFound() {
    assertError(
        ErrorKind.NOT_FOUND,
        "row-not-found",
        () -> write(tx -> tx.putBlobSource(new BlobSource("s", "k", "e", digest(9)))));
  }

  @Test
  void aSourceAlreadyMappedToAnotherBlobConflicts() {
    write(
        tx -> {
          tx.putBlob(blob(1));
          tx.putBlob(blob(2));
          tx.putBlobSource(new BlobSource("s", "k", "e", digest(1)));
        });

    assertError(
        ErrorKind.CONFLICT,
        "row-exists",
        () -> write(tx -> tx.putBlobSource(new BlobSource("s", "k", "e", digest(2)))));
    assertThat(read((RepositoryReader r) -> r.findBlobBySource("s", "k", "e"))).contains(digest(1));
  }

  @Test
  void deletingABlobForgetsItsSources() {
    write(
        tx -> {
          tx.putBlob(blob(1));
          tx.putBlob(blob(2));
          tx.putBlobSource(new BlobSource("s", "k1", "e", digest(1)));
          tx.putBlobSource(new BlobSource("s", "k2", "e", digest(2)));
        });

    write(tx -> tx.deleteBlob(digest(1)));

    assertThat(read((RepositoryReader r) -> r.findBlob(digest(1)))).isEmpty();
    assertThat(read((RepositoryReader r) -> r.findBlobBySource("s", "k1", "e"))).isEmpty();
    assertThat(read((RepositoryReader r) -> r.findBlobBySource("s", "k2", "e")))
        .contains(digest(2));
  }

  @Test
  void deletingAnAbsentBlobIsNotFound() {
    assertError(ErrorKind.NOT_FOUND, "row-not-found", () -> write(tx -> tx.deleteBlob(digest(1))));
  }

  // ---------------------------------------------------------------- images

  @Test
  void imagesRoundTripWithTheirLayers() {
    Image pending = image("img-a", 0, ImageState.PENDING);
    Image failed =
        image("img-b", 5, ImageState.FAILED)
            .withState(ImageState.FAILED, "layer-path-escape", "it's \"bad\"\nreally", at(9));
    write(
        tx -> {
          tx.putImage(pending);
          tx.putImage(failed);
        });

    assertThat(read((RepositoryReader r) -> r.findImage("img-a"))).contains(pending);
    assertThat(read((RepositoryReader r) -> r.findImage("img-b"))).contains(failed);
  }

  @Test
  void puttingAnImageAgainReplacesItAndItsLayers() {
    Image first = image("img-a", 0, ImageState.PENDING);
    write(tx -> tx.putImage(first));
    ChainId top = ChainId.ofBase(digest(5));
    Image second =
        first
            .withLayers(
                List.of(
                    new ImageLayer(
                        1, new RemoteObject("images/x/1.tar", 5, "\"e\""), digest(5), top)),
                top,
                at(20))
            .withState(ImageState.READY, null, null, at(21));

    write(tx -> tx.putImage(second));

    assertThat(read((RepositoryReader r) -> r.findImage("img-a"))).contains(second);
    assertThat(read((RepositoryReader r) -> r.listImages())).containsExactly(second);
  }

  @Test
  void imagesAreListedNewestFirst() {
    write(
        tx -> {
          tx.putImage(image("img-b", 10, ImageState.PENDING));
          tx.putImage(image("img-a", 30, ImageState.READY));
          tx.putImage(image("img-c", 20, ImageState.READY));
          tx.putImage(image("img-d", 20, ImageState.FAILED));
        });

    assertThat(read(RepositoryReader::listImages))
        .extracting(Image::id)
        .containsExactly("img-a", "img-d", "img-c", "img-b");
  }

  @Test
  void deletingAnImageRemovesIt() {
    write(
        tx -> {
          tx.putImage(image("img-a", 0, ImageState.READY));
          tx.putImage(image("img-b", 1, ImageState.READY));
        });

    write(tx -> tx.deleteImage("img-a"));

    assertThat(read((RepositoryReader r) -> r.findImage("img-a"))).isEmpty();
    assertThat(read(RepositoryReader::listImages)).extracting(Image::id).containsExactly("img-b");
    assertError(ErrorKind.NOT_FOUND, "row-not-found", () -> write(tx -> tx.deleteImage("img-a")));
  }

  // ---------------------------------------------------------------- thin ids

  @Test
  void thinIdsStartAtOneAndAreMonotonic() {
    List<Long> ids = new ArrayList<>();
    write(
        tx -> {
          ids.add(tx.allocateThinId());
          ids.add(tx.allocateThinId());
        });
    write(tx -> ids.add(tx.allocateThinId()));

    assertThat(ids).containsExactly(1L, 2L, 3L);
  }

  @Test
  void thinIdsAreNeverReusedAfterADelete() {
    long first =
        repo.inTransaction(
            tx -> {
              long id = tx.allocateThinId();
              tx.insertVolume(chainVolume(id, ChainId.ofBase(digest(1)), VolumeState.PLANNED));
              return id;
            });
    write(tx -> tx.deleteVolume(first));

    assertThat(repo.inTransaction(RepositoryTransaction::allocateThinId)).isEqualTo(first + 1);
  }

  @Test
  void anInsertedVolumesIdIsNeverAllocatedLater() {
    write(tx -> tx.insertVolume(chainVolume(40, ChainId.ofBase(digest(1)), VolumeState.READY)));

    assertThat(repo.inTransaction(RepositoryTransaction::allocateThinId)).isEqualTo(41);
  }

  @Test
  void thinIdsRunOutBelowTwoToThe24() {
    write(
        tx ->
            tx.insertVolume(
                chainVolume(VolumeSpec.MAX_THIN_ID, ChainId.ofBase(digest(1)), VolumeState.READY)));

    assertError(
        ErrorKind.CONFLICT,
        "thin-ids-exhausted",
        () -> repo.inTransaction(RepositoryTransaction::allocateThinId));
  }

  // ---------------------------------------------------------------- volumes

  @Test
  void volumesRoundTripAndListByThinId() {
    ChainId chain = ChainId.ofBase(digest(1));
    Volume c = chainVolume(5, chain, VolumeState.READY);
    Volume a = activationVolume(3, 5, VolumeState.PLANNED);
    Volume b = activationVolume(9, 5, VolumeState.CREATED);
    write(
        tx -> {
          tx.insertVolume(c);
          tx.insertVolume(b);
          tx.insertVolume(a);
        });

    assertThat(read((RepositoryReader r) -> r.findVolume(5))).contains(c);
    assertThat(read((RepositoryReader r) -> r.findVolume(3))).contains(a);
    assertThat(read((RepositoryReader r) -> r.findChainVolume(chain))).contains(c);
    assertThat(read(RepositoryReader::listVolumes)).containsExactly(a, c, b);
  }

  @Test
  void aTakenThinIdOrChainConflicts() {
    ChainId chain = ChainId.ofBase(digest(1));
    write(tx -> tx.insertVolume(chainVolume(1, chain, VolumeState.PLANNED)));

    assertError(
        ErrorKind.CONFLICT,
        "row-exists",
        () -> write(tx -> tx.insertVolume(activationVolume(1, 1, VolumeState.PLANNED))));
    assertError(
        ErrorKind.CONFLICT,
        "row-exists",
        () -> write(tx -> tx.insertVolume(chainVolume(2, chain, VolumeState.PLANNED))));
    assertThat(read(RepositoryReader::listVolumes)).hasSize(1);
  }

  @Test
  void updatingAVolumeChecksItsExpectedState() {
    ChainId chain = ChainId.ofBase(digest(1));
    Volume planned = chainVolume(1, chain, VolumeState.PLANNED);
    write(tx -> tx.insertVolume(planned));
    Volume created = planned.withState(VolumeState.CREATED, at(50));

    write(tx -> tx.updateVolume(created, VolumeState.PLANNED));
    assertThat(read((RepositoryReader r) -> r.findVolume(1))).contains(created);

    assertError(
        ErrorKind.CONFLICT,
        "stale-state",
        () ->
            write(
                tx ->
                    tx.updateVolume(
                        created.withState(VolumeState.READY, at(60)), VolumeState.PLANNED)));
    assertThat(read((RepositoryReader r) -> r.findVolume(1))).contains(created);

    assertError(
        ErrorKind.NOT_FOUND,
        "row-not-found",
        () ->
            write(
                tx ->
                    tx.updateVolume(
                        activationVolume(2, 1, VolumeState.READY), VolumeState.CREATED)));
  }

  @Test
  void deletingAVolume() {
    write(tx -> tx.insertVolume(activationVolume(4, 1, VolumeState.DELETING)));

    write(tx -> tx.deleteVolume(4));

    assertThat(read((RepositoryReader r) -> r.findVolume(4))).isEmpty();
    assertError(ErrorKind.NOT_FOUND, "row-not-found", () -> write(tx -> tx.deleteVolume(4)));
  }

  // ---------------------------------------------------------------- activations

  @Test
  void activationsRoundTripAndListNewestFirst() {
    Activation a1 = activation("act-1", "img-a", 10);
    Activation a2 = activation("act-2", "img-b", 30);
    Activation a3 = activation("act-3", "img-a", 20);
    write(
        tx -> {
          tx.insertActivation(a1);
          tx.insertActivation(a2);
          tx.insertActivation(a3);
        });

    assertThat(read((RepositoryReader r) -> r.findActivation("act-1"))).contains(a1);
    assertThat(read((RepositoryReader r) -> r.listActivations())).containsExactly(a2, a3, a1);
    assertThat(read((RepositoryReader r) -> r.listActivations("img-a"))).containsExactly(a3, a1);
    assertThat(read((RepositoryReader r) -> r.listActivations("img-z"))).isEmpty();
  }

  @Test
  void aTakenActivationIdConflicts() {
    write(tx -> tx.insertActivation(activation("act-1", "img-a", 0)));

    assertError(
        ErrorKind.CONFLICT,
        "row-exists",
        () -> write(tx -> tx.insertActivation(activation("act-1", "img-b", 5))));
  }

  @Test
  void updatingAnActivationChecksItsExpectedState() {
    Activation pending = activation("act-1", "img-a", 0);
    write(tx -> tx.insertActivation(pending));
    Activation active = pending.withState(ActivationState.ACTIVE, "/dev/mapper/ti-7", at(40));

    write(tx -> tx.updateActivation(active, ActivationState.PENDING));
    assertThat(read((RepositoryReader r) -> r.findActivation("act-1"))).contains(active);

    assertError(
        ErrorKind.CONFLICT,
        "stale-state",
        () ->
            write(
                tx ->
                    tx.updateActivation(
                        active.withState(ActivationState.INACTIVE, null, at(41)),
                        ActivationState.PENDING)));
    assertThat(read((RepositoryReader r) -> r.findActivation("act-1"))).contains(active);
    assertError(
        ErrorKind.NOT_FOUND,
        "row-not-found",
        () ->
            write(tx -> tx.updateActivation(activation("act-9", "i", 0), ActivationState.PENDING)));
  }

  @Test
  void deletingAnActivation() {
    write(tx -> tx.insertActivation(activation("act-1", "img-a", 0)));

    write(tx -> tx.deleteActivation("act-1"));

    assertThat(read((RepositoryReader r) -> r.findActivation("act-1"))).isEmpty();
    assertError(
        ErrorKind.NOT_FOUND, "row-not-found", () -> write(tx -> tx.deleteActivation("act-1")));
  }

  // ---------------------------------------------------------------- runs

  @Test
  void runsRoundTripWithEveryField() {
    Run parent = run("run-p", "process", "img-a", RunStatus.ACTIVE, 0);
    Run child =
        new Run(
            "run-c",
            "pull",
            "img-a",
            "DOWNLOADING",
            RunStatus.ACTIVE,
            3,
            at(100),
            Map.of(
                "key", "images/a/1.tar",
                "quote\"and\\slash", "line\nbreak\ttab\u0001 and ünïcødé 🙂",
                "empty", ""),
            "run-p",
            "download-failed",
            "timed out: \"s3\"",
            at(1),
            at(2),
            0);
    write(
        tx -> {
          tx.insertRun(parent);
          tx.insertRun(child);
        });

    assertThat(read((RepositoryReader r) -> r.findRun("run-c"))).contains(child);
    assertThat(read((RepositoryReader r) -> r.findRun("run-p"))).contains(parent);
  }

  @Test
  void aTakenRunIdConflicts() {
    write(tx -> tx.insertRun(run("run-1", "pull", "img-a", RunStatus.SUCCEEDED, 0)));

    assertError(
        ErrorKind.CONFLICT,
        "row-exists",
        () -> write(tx -> tx.insertRun(run("run-1", "pull", "img-b", RunStatus.ACTIVE, 1))));
  }

  @Test
  void aChildOfAnUnknownRunIsNotFound() {
    Run orphan = run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0);
    Run withParent =
        new Run(
            orphan.id(),
            orphan.type(),
            orphan.resourceId(),
            orphan.state(),
            orphan.status(),
            0,
            null,
            Map.of(),
            "run-missing",
            null,
            null,
            at(0),
            at(0),
            0);

    assertError(ErrorKind.NOT_FOUND, "row-not-found", () -> write(tx -> tx.insertRun(withParent)));
  }

  @Test
  void atMostOneActiveRunPerTypeAndResource() {
    write(tx -> tx.insertRun(run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0)));

    assertError(
        ErrorKind.CONFLICT,
        "run-already-active",
        () -> write(tx -> tx.insertRun(run("run-2", "pull", "img-a", RunStatus.ACTIVE, 1))));

    write(
        tx -> {
          tx.insertRun(run("run-3", "pull", "img-b", RunStatus.ACTIVE, 2));
          tx.insertRun(run("run-4", "delete", "img-a", RunStatus.ACTIVE, 3));
          tx.insertRun(run("run-5", "pull", "img-a", RunStatus.FAILED, 4));
          tx.insertRun(run("run-6", "pull", "img-a", RunStatus.SUCCEEDED, 5));
        });
    assertThat(read((RepositoryReader r) -> r.findActiveRun("pull", "img-a")))
        .map(Run::id)
        .contains("run-1");
  }

  @Test
  void aFinishedRunMakesRoomForTheNext() {
    Run first = run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0);
    write(tx -> tx.insertRun(first));
    write(tx -> tx.updateRun(first.withState("DONE", RunStatus.SUCCEEDED, at(5))));

    write(tx -> tx.insertRun(run("run-2", "pull", "img-a", RunStatus.ACTIVE, 6)));

    assertThat(read((RepositoryReader r) -> r.findActiveRun("pull", "img-a")))
        .map(Run::id)
        .contains("run-2");
    assertError(
        ErrorKind.CONFLICT,
        "run-already-active",
        () ->
            write(
                tx ->
                    tx.updateRun(
                        read((RepositoryReader r) -> r.findRun("run-1"))
                            .orElseThrow()
                            .withState("START", RunStatus.ACTIVE, at(7)))));
  }

  @Test
  void updatingARunBumpsItsVersion() {
    Run r0 = run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0);
    write(tx -> tx.insertRun(r0));

    Run r1 =
        repo.inTransaction(
            tx -> tx.updateRun(r0.withAttributes(Map.of("digest", "sha256:x"), at(3))));
    Run r2 = repo.inTransaction(tx -> tx.updateRun(r1.withAttempt(2, at(4))));

    assertThat(r1.version()).isEqualTo(1);
    assertThat(r1.attributes()).containsEntry("digest", "sha256:x");
    assertThat(r2.version()).isEqualTo(2);
    assertThat(read((RepositoryReader r) -> r.findRun("run-1"))).contains(r2);
  }

  @Test
  void aStaleRunUpdateConflictsAndChangesNothing() {
    Run r0 = run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0);
    write(tx -> tx.insertRun(r0));
    Run r1 = repo.inTransaction(tx -> tx.updateRun(r0.withAttempt(1, at(1))));

    assertError(
        ErrorKind.CONFLICT,
        "stale-state",
        () -> write(tx -> tx.updateRun(r0.withState("OTHER", RunStatus.FAILED, at(2)))));
    assertThat(read((RepositoryReader r) -> r.findRun("run-1"))).contains(r1);
  }

  @Test
  void updatingAnAbsentRunIsNotFound() {
    assertError(
        ErrorKind.NOT_FOUND,
        "row-not-found",
        () -> write(tx -> tx.updateRun(run("run-9", "pull", "x", RunStatus.ACTIVE, 0))));
  }

  @Test
  void runListingsAreOrdered() {
    Run p = run("run-p", "process", "img-a", RunStatus.ACTIVE, 5);
    write(
        tx -> {
          tx.insertRun(run("run-b", "pull", "img-b", RunStatus.ACTIVE, 30));
          tx.insertRun(p);
          tx.insertRun(run("run-a", "pull", "img-a", RunStatus.FAILED, 20));
          tx.insertRun(run("run-c", "pull", "img-c", RunStatus.ACTIVE, 10));
          tx.insertRun(child("run-k2", p, "img-a/2", 40));
          tx.insertRun(child("run-k1", p, "img-a/1", 35));
        });

    assertThat(read(RepositoryReader::listActiveRuns))
        .extracting(Run::id)
        .containsExactly("run-p", "run-c", "run-b", "run-k1", "run-k2");
    assertThat(read((RepositoryReader r) -> r.listRecentRuns(3)))
        .extracting(Run::id)
        .containsExactly("run-k2", "run-k1", "run-b");
    assertThat(read((RepositoryReader r) -> r.listRecentRuns(100))).hasSize(6);
    assertThat(read((RepositoryReader r) -> r.listRecentRuns(0))).isEmpty();
    assertThat(read((RepositoryReader r) -> r.listChildRuns("run-p")))
        .extracting(Run::id)
        .containsExactly("run-k1", "run-k2");
    assertThat(read((RepositoryReader r) -> r.listChildRuns("run-b"))).isEmpty();
  }

  private static Run child(String id, Run parent, String resource, int created) {
    return new Run(
        id,
        "pull",
        resource,
        "START",
        RunStatus.ACTIVE,
        0,
        null,
        Map.of(),
        parent.id(),
        null,
        null,
        at(created),
        at(created),
        0);
  }

  // ---------------------------------------------------------------- transitions

  @Test
  void transitionsAreListedInOrder() {
    write(
        tx -> {
          tx.insertRun(run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0));
          tx.insertRun(run("run-2", "pull", "img-b", RunStatus.ACTIVE, 0));
          tx.appendTransition(transition("run-1", 2));
          tx.appendTransition(transition("run-2", 1));
          tx.appendTransition(transition("run-1", 1));
        });
    TransitionRecord failed =
        new TransitionRecord(
            "run-1", 3, "S3", "error", "S3", "download-failed", "no \"route\"", at(9), 1234);
    write(tx -> tx.appendTransition(failed));

    assertThat(read((RepositoryReader r) -> r.listTransitions("run-1")))
        .containsExactly(transition("run-1", 1), transition("run-1", 2), failed);
    assertThat(read((RepositoryReader r) -> r.listTransitions("run-2")))
        .containsExactly(transition("run-2", 1));
  }

  @Test
  void aTransitionNeedsItsRunAndAFreeSeq() {
    assertError(
        ErrorKind.NOT_FOUND,
        "row-not-found",
        () -> write(tx -> tx.appendTransition(transition("run-1", 1))));

    write(
        tx -> {
          tx.insertRun(run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0));
          tx.appendTransition(transition("run-1", 1));
        });
    assertError(
        ErrorKind.CONFLICT,
        "row-exists",
        () -> write(tx -> tx.appendTransition(transition("run-1", 1))));
  }

  // ---------------------------------------------------------------- counts

  @Test
  void countsAreExact() {
    write(
        tx -> {
          tx.putBlob(blob(1));
          tx.putBlob(blob(2));
          tx.putImage(image("img-a", 0, ImageState.READY));
          tx.putImage(image("img-b", 1, ImageState.PENDING));
          tx.putImage(image("img-c", 2, ImageState.READY));
          tx.insertVolume(chainVolume(1, ChainId.ofBase(digest(1)), VolumeState.READY));
          tx.insertVolume(chainVolume(2, ChainId.ofBase(digest(2)), VolumeState.DELETING));
          tx.insertVolume(activationVolume(3, 1, VolumeState.READY));
          tx.insertActivation(activation("act-1", "img-a", 0));
          tx.insertActivation(
              activation("act-2", "img-a", 1).withState(ActivationState.ACTIVE, "/dev/x", at(2)));
          tx.insertRun(run("run-1", "pull", "a", RunStatus.ACTIVE, 0));
          tx.insertRun(run("run-2", "pull", "b", RunStatus.ACTIVE, 0));
          tx.insertRun(run("run-3", "pull", "c", RunStatus.FAILED, 0));
          tx.insertRun(run("run-4", "pull", "d", RunStatus.SUCCEEDED, 0));
        });

    assertThat(read(RepositoryReader::counts))
        .isEqualTo(new RepositoryReader.Counts(3, 2, 2, 2, 1, 2, 1));
  }

  // ---------------------------------------------------------------- transactions

  @Test
  void aTransactionReturnsItsResultAndSeesItsOwnWrites() {
    String id =
        repo.inTransaction(
            tx -> {
              tx.putImage(image("img-a", 0, ImageState.READY));
              assertThat(tx.findImage("img-a")).isPresent();
              assertThat(tx.listImages()).hasSize(1);
              assertThat(tx.counts().images()).isEqualTo(1);
              return "img-a";
            });

    assertThat(id).isEqualTo("img-a");
  }

  @Test
  void aThrowingTransactionLeavesNoTrace() {
    write(tx -> tx.insertRun(run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0)));
    RepositoryReader.Counts before = read(RepositoryReader::counts);
    RuntimeException boom = new IllegalStateException("boom");

    assertThatThrownBy(
            () ->
                write(
                    tx -> {
                      tx.putBlob(blob(1));
                      tx.putImage(image("img-a", 0, ImageState.READY));
                      tx.insertVolume(
                          activationVolume(tx.allocateThinId(), 1, VolumeState.PLANNED));
                      tx.insertActivation(activation("act-1", "img-a", 0));
                      Run r = tx.findRun("run-1").orElseThrow();
                      tx.updateRun(r.withState("NEXT", RunStatus.ACTIVE, at(1)));
                      tx.appendTransition(transition("run-1", 1));
                      throw boom;
                    }))
        .isSameAs(boom);

    assertThat(read(RepositoryReader::counts)).isEqualTo(before);
    assertThat(read((RepositoryReader r) -> r.findRun("run-1").orElseThrow().version())).isZero();
    assertThat(read((RepositoryReader r) -> r.listTransitions("run-1"))).isEmpty();
    assertThat(read(RepositoryReader::listVolumes)).isEmpty();
    assertThat(read((RepositoryReader r) -> r.listActivations())).isEmpty();
    assertThat(repo.inTransaction(RepositoryTransaction::allocateThinId)).isEqualTo(1);
  }

  @Test
  void aFailedWriteRollsBackTheEarlierWritesOfItsTransaction() {
    assertError(
        ErrorKind.NOT_FOUND,
        "row-not-found",
        () ->
            write(
                tx -> {
                  tx.putImage(image("img-a", 0, ImageState.READY));
                  tx.deleteActivation("act-missing");
                }));

    assertThat(read((RepositoryReader r) -> r.findImage("img-a"))).isEmpty();
  }

  @Test
  void readersSeeOnlyCommittedState() {
    write(
        tx -> {
          tx.putImage(image("img-a", 0, ImageState.READY));
          assertThat(repo.read((RepositoryReader r) -> r.findImage("img-a"))).isEmpty();
        });

    assertThat(read((RepositoryReader r) -> r.findImage("img-a"))).isPresent();
  }

  @Test
  void transactionsMustNotNest() {
    assertThatThrownBy(() -> write(tx -> write(inner -> inner.putBlob(blob(1)))))
        .isInstanceOf(IllegalStateException.class);

    assertThat(read(RepositoryReader::listBlobs)).isEmpty();
    write(tx -> tx.putBlob(blob(1)));
    assertThat(read(RepositoryReader::listBlobs)).hasSize(1);
  }

  @Test
  void aTransactionCannotBeUsedAfterItEnds() {
    AtomicReference<RepositoryTransaction> escaped = new AtomicReference<>();
    write(escaped::set);

    assertThatThrownBy(() -> escaped.get().putBlob(blob(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void concurrentWritersAreSerialised() throws Exception {
    write(tx -> tx.insertRun(run("run-1", "pull", "img-a", RunStatus.ACTIVE, 0)));
    int threads = 4;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    write(
                        tx -> {
                          Run r = tx.findRun("run-1").orElseThrow();
                          Run next = tx.updateRun(r.withAttempt(r.attempt() + 1, at(1)));
                          tx.appendTransition(transition("run-1", (int) next.version()));
                          tx.insertVolume(
                              activationVolume(tx.allocateThinId(), 1, VolumeState.PLANNED));
                        });
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    int total = threads * perThread;
    Run stored = read((RepositoryReader r) -> r.findRun("run-1")).orElseThrow();
    assertThat(stored.version()).isEqualTo(total);
    assertThat(stored.attempt()).isEqualTo(total);
    assertThat(read((RepositoryReader r) -> r.listTransitions("run-1"))).hasSize(total);
    assertThat(read(RepositoryReader::listVolumes))
        .extracting(Volume::thinId)
        .containsExactlyElementsOf(
            java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
  }

  // ---------------------------------------------------------------- store

  @Test
  void infoNamesTheStore() {
    ImageRepository.StoreInfo info = repo.info();

    assertThat(info.location()).isNotBlank();
    assertThat(info.sizeBytes()).isNotNegative();
    assertThat(info.walSizeBytes()).isNotNegative();
    assertThat(info.schemaVersion()).isPositive();
  }

  @Test
  void backupWritesANewFileAndRefusesAnExistingOne() throws Exception {
    write(tx -> tx.putImage(image("img-a", 0, ImageState.READY)));
    Path target = dir.resolve("backups").resolve("one.db");
    Files.createDirectories(target.getParent());

    repo.backup(target);
    assertThat(target).isNotEmptyFile();

    Path taken = dir.resolve("backups").resolve("taken.db");
    Files.writeString(taken, "keep me", StandardCharsets.UTF_8);
    assertError(ErrorKind.CONFLICT, "backup-target-exists", () -> repo.backup(taken));
    assertThat(taken).hasContent("keep me");
  }

  @Test
  void aClosedStoreRefusesWorkAndClosesAgainQuietly() {
    repo.close();
    repo.close();

    assertThatThrownBy(() -> repo.read(RepositoryReader::counts))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> write(tx -> tx.putBlob(blob(1))))
        .isInstanceOf(IllegalStateException.class);
  }
}
