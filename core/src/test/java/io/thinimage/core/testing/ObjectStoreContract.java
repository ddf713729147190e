package io.thinimage.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link ObjectStore} must have. Subclass it once per implementation and
 * provide a store seeded with given objects; keys are relative to the store's root (its bucket
 * prefix or directory).
 */
public abstract class ObjectStoreContract {

  /** Per-test scratch space for partial files. */
  @TempDir protected Path scratch;

  /** A fresh store holding exactly {@code objects} (key relative to the store's root → body). */
  protected abstract ObjectStore storeWith(Map<String, byte[]> objects);

  /**
   * Replaces (or creates) {@code key} in {@code store} with {@code body}, the way another writer
   * would between a listing and a download.
   */
  protected abstract void replaceObject(ObjectStore store, String key, byte[] body);

  /** Deterministic pseudo-random bytes, so failures reproduce. */
  protected static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The sha256 of {@code body}, as a download must report it. */
  protected static BlobDigest sha256(byte[] body) {
    return BlobDigest.of(BlobDigest.newSha256().digest(body));
  }

  private static Map<String, byte[]> objects(Object... keysAndBodies) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndBodies.length; i += 2) {
      m.put((String) keysAndBodies[i], (byte[]) keysAndBodies[i + 1]);
    }
    return m;
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertFails(ThrowingCallable call, ErrorKind kind, String code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).as("kind of %s", e.getMessage()).isEqualTo(kind);
              assertThat(e.code()).as("code of %s", e.getMessage()).isEqualTo(code);
            });
  }

  @Test
  void describesItselfWithAUri() {
    ObjectStore store = storeWith(Map.of());
    assertThat(store.describe()).matches("[a-z0-9]+://.+");
    assertThat(store.describe()).isEqualTo(store.describe());
  }

  @Test
  void familyResolvesInNumericOrder() {
    Map<String, byte[]> seeded = new LinkedHashMap<>();
    for (int n = 11; n >= 1; n--) {
      seeded.put("images/golang/" + n + ".tar", text("layer " + n));
    }
    // A sibling family whose name extends this one's must not leak in.
    seeded.put("images/golang2/1.tar", text("other"));
    ObjectStore store = storeWith(seeded);

    List<RemoteObject> layers = store.resolve(new ImageReference("images/golang/"));

    assertThat(layers)
        .extracting(RemoteObject::key)
        .containsExactly(
            "images/golang/1.tar",
            "images/golang/2.tar",
            "images/golang/3.tar",
            "images/golang/4.tar",
            "images/golang/5.tar",
            "images/golang/6.tar",
            "images/golang/7.tar",
            "images/golang/8.tar",
            "images/golang/9.tar",
            "images/golang/10.tar",
            "images/golang/11.tar");
    for (RemoteObject layer : layers) {
      assertThat(layer.size()).isEqualTo(seeded.get(layer.key()).length);
      assertThat(layer.etag()).isNotBlank();
    }
  }

  @Test
  void familyWithAGapIsRejected() {
    ObjectStore store =
        storeWith(
            objects(
                "images/node/1.tar", text("a"),
                "images/node/2.tar", text("b"),
                "images/node/4.tar", text("d")));
    assertFails(
        () -> store.resolve(new ImageReference("images/node/")),
        ErrorKind.INVALID_INPUT,
        "family-gap");
  }

  @Test
  void familyWithADuplicateNumberIsRejected() {
    ObjectStore store =
        storeWith(objects("images/node/1.tar", text("a"), "images/node/01.tar", text("a2")));
    assertFails(
        () -> store.resolve(new ImageReference("images/node/")),
        ErrorKind.INVALID_INPUT,
        "family-duplicate-layers");
  }

  @Test
  void familyWithAForeignKeyIsRejected() {
    ObjectStore store =
        storeWith(objects("images/node/1.tar", text("a"), "images/node/README", text("hi")));
    assertFails(
        () -> store.resolve(new ImageReference("images/node/")),
        ErrorKind.INVALID_INPUT,
        "family-foreign-keys");
  }

  @Test
  void emptyFamilyIsNotFound() {
    ObjectStore store = storeWith(objects("images/node/1.tar", text("a")));
    assertFails(
        () -> store.resolve(new ImageReference("images/python/")),
        ErrorKind.NOT_FOUND,
        "family-empty");
  }

  @Test
  void singleKeyResolvesToOneObject() {
    byte[] body = bytes(1000, 1);
    ObjectStore store =
        storeWith(objects("images/golang/2.tar", body, "images/golang/1.tar", body));

    List<RemoteObject> one = store.resolve(new ImageReference("images/golang/2.tar"));

    assertThat(one).hasSize(1);
    assertThat(one.get(0).key()).isEqualTo("images/golang/2.tar");
    assertThat(one.get(0).size()).isEqualTo(1000);
    assertThat(one.get(0).etag()).isNotBlank();
  }

  @Test
  void missingSingleKeyIsNotFound() {
    ObjectStore store = storeWith(objects("images/golang/1.tar", text("a")));
    assertThatThrownBy(() -> store.resolve(new ImageReference("images/golang/9.tar")))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void resolvingTwiceGivesTheSameAnswer() {
    ObjectStore store =
        storeWith(objects("images/a/1.tar", text("one"), "images/a/2.tar", text("two")));
    ImageReference ref = new ImageReference("images/a/");
    assertThat(store.resolve(ref)).isEqualTo(store.resolve(ref));
  }

  @Test
  void listsEverythingUnderAPrefixInKeyOrder() {
    ObjectStore store =
        storeWith(
            objects(
                "images/b/1.tar", text("b1"),
                "images/a/2.tar", text("a2"),
                "images/a/1.tar", text("a1"),
                "other/x", text("x")));

    assertThat(store.list("images/"))
        .extracting(RemoteObject::key)
        .containsExactly("images/a/1.tar", "images/a/2.tar", "images/b/1.tar");
    assertThat(store.list("images/a/"))
        .extracting(RemoteObject::key, RemoteObject::size)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("images/a/1.tar", 2L),
            org.assertj.core.groups.Tuple.tuple("images/a/2.tar", 2L));
    assertThat(store.list("nothing/")).isEmpty();
  }

  @Test
  void downloadsAWholeObject() throws IOException {
    byte[] body = bytes(300_000, 2);
    ObjectStore store = storeWith(objects("images/a/1.tar", body));
    RemoteObject object = store.resolve(new ImageReference("images/a/1.tar")).get(0);
    Path partial = scratch.resolve("1.partial");
    AtomicLong lastProgress = new AtomicLong(-1);

    ObjectStore.Download d = store.download(object, partial, 1 << 20, lastProgress::set);

    assertThat(d.digest()).isEqualTo(sha256(body));
    assertThat(d.size()).isEqualTo(body.length);
    assertThat(d.bytesTransferred()).isEqualTo(body.length);
    assertThat(Files.readAllBytes(partial)).isEqualTo(body);
    assertThat(lastProgress.get()).isEqualTo(body.length);
  }

  @Test
  void downloadsAnEmptyObject() throws IOException {
    ObjectStore store = storeWith(objects("images/a/1.tar", new byte[0]));
    RemoteObject object = store.resolve(new ImageReference("images/a/")).get(0);
    Path partial = scratch.resolve("empty.partial");

    ObjectStore.Download d = store.download(object, partial, 100, p -> {});

    assertThat(d.digest()).isEqualTo(sha256(new byte[0]));
    assertThat(d.size()).isZero();
    assertThat(Files.size(partial)).isZero();
  }

  @Test
  void resumesFromAPartialPrefixAndDigestsTheWholeFile() throws IOException {
    byte[] body = bytes(250_000, 3);
    ObjectStore store = storeWith(objects("images/a/1.tar", body));
    RemoteObject object = store.resolve(new ImageReference("images/a/1.tar")).get(0);
    Path partial = scratch.resolve("1.partial");
    Files.write(partial, Arrays.copyOf(body, 100_000));

    ObjectStore.Download d = store.download(object, partial, body.length, p -> {});

    assertThat(d.bytesTransferred()).isEqualTo(150_000);
    assertThat(d.size()).isEqualTo(body.length);
    assertThat(d.digest()).isEqualTo(sha256(body));
    assertThat(Files.readAllBytes(partial)).isEqualTo(body);
  }

  @Test
  void refusesAnObjectOverTheCap() throws IOException {
    byte[] body = bytes(10_000, 4);
    ObjectStore store = storeWith(objects("images/a/1.tar", body));
    RemoteObject object = store.resolve(new ImageReference("images/a/1.tar")).get(0);
    Path partial = scratch.resolve("1.partial");

    assertFails(
        () -> store.download(object, partial, 9_999, p -> {}),
        ErrorKind.INVALID_INPUT,
        "object-too-large");
    assertThat(Files.exists(partial) ? Files.size(partial) : 0).isLessThanOrEqualTo(9_999);
  }

  @Test
  void aCompleteFileIsNotFetchedAgain() throws IOException {
    byte[] body = bytes(50_000, 5);
    ObjectStore store = storeWith(objects("images/a/1.tar", body));
    RemoteObject object = store.resolve(new ImageReference("images/a/1.tar")).get(0);
    Path partial = scratch.resolve("1.partial");
    ObjectStore.Download first = store.download(object, partial, body.length, p -> {});

    ObjectStore.Download again = store.download(object, partial, body.length, p -> {});

    assertThat(again.bytesTransferred()).isZero();
    assertThat(again.digest()).isEqualTo(first.digest()).isEqualTo(sha256(body));
    assertThat(again.size()).isEqualTo(body.length);
  }

  @Test
  void anObjectReplacedAfterResolveIsRefusedAndThePartialTruncated() throws IOException {
    byte[] v1 = bytes(80_000, 6);
    byte[] v2 = bytes(80_000, 7);
    ObjectStore store = storeWith(objects("images/a/1.tar", v1));
    RemoteObject listed = store.resolve(new ImageReference("images/a/")).get(0);
    Path partial = scratch.resolve("1.partial");
    Files.write(partial, Arrays.copyOf(v1, 30_000));

    replaceObject(store, "images/a/1.tar", v2);

    assertFails(
        () -> store.download(listed, partial, 1 << 20, p -> {}),
        ErrorKind.INVALID_INPUT,
        "object-changed");
    assertThat(Files.size(partial)).as("no bytes of two versions are mixed").isZero();

    // The new version, re-resolved, downloads cleanly into the same (now empty) file.
    RemoteObject relisted = store.resolve(new ImageReference("images/a/")).get(0);
    assertThat(relisted.etag()).isNotEqualTo(listed.etag());
    ObjectStore.Download d = store.download(relisted, partial, 1 << 20, p -> {});
    assertThat(d.digest()).isEqualTo(sha256(v2));
  }

  @Test
  void anObjectReplacedBeforeAnyByteIsRefused() throws IOException {
    ObjectStore store = storeWith(objects("images/a/1.tar", text("version one")));
    RemoteObject listed = store.resolve(new ImageReference("images/a/1.tar")).get(0);
    replaceObject(store, "images/a/1.tar", text("version two, longer"));
    Path partial = scratch.resolve("1.partial");

    assertFails(
        () -> store.download(listed, partial, 1 << 20, p -> {}),
        ErrorKind.INVALID_INPUT,
        "object-changed");
    assertThat(Files.exists(partial) ? Files.size(partial) : 0).isZero();
  }
}
