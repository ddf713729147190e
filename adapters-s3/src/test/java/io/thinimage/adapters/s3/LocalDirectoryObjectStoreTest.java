package io.thinimage.adapters.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import io.thinimage.core.testing.ObjectStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The port contract on {@link LocalDirectoryObjectStore}, plus its symlink confinement. */
class LocalDirectoryObjectStoreTest extends ObjectStoreContract {
  @TempDir Path storeDir;
  @TempDir Path outside;

  @Override
  protected ObjectStore storeWith(Map<String, byte[]> objects) {
    objects.forEach((key, body) -> write(storeDir.resolve(key), body));
    return new LocalDirectoryObjectStore(storeDir);
  }

  @Override
  protected void replaceObject(ObjectStore store, String key, byte[] body) {
    // As a well-behaved writer does it: a new file renamed over the old one.
    Path target = ((LocalDirectoryObjectStore) store).root().resolve(key);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    write(tmp, body);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, byte[] body) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void describesAsFileUri() throws IOException {
    assertThat(new LocalDirectoryObjectStore(storeDir).describe())
        .isEqualTo("file://" + storeDir.toRealPath());
  }

  @Test
  void aSymlinkToAFileInsideIsAnObject() throws IOException {
    byte[] body = bytes(5000, 1);
    ObjectStore store = storeWith(Map.of("blobs/one", body));
    Files.createDirectories(storeDir.resolve("images/a"));
    Files.createSymbolicLink(storeDir.resolve("images/a/1.tar"), storeDir.resolve("blobs/one"));

    RemoteObject o = store.resolve(new ImageReference("images/a/")).get(0);
    ObjectStore.Download d = store.download(o, scratch.resolve("p"), 10_000, p -> {});

    assertThat(o.size()).isEqualTo(5000);
    assertThat(d.digest()).isEqualTo(sha256(body));
  }

  @Test
  void symlinksOutOfTheDirectoryAreNeverFollowed() throws IOException {
    write(outside.resolve("secret"), bytes(100, 2));
    write(outside.resolve("dir/1.tar"), bytes(100, 3));
    ObjectStore store = storeWith(Map.of("images/a/1.tar", bytes(10, 4)));
    Files.createSymbolicLink(storeDir.resolve("images/a/2.tar"), outside.resolve("secret"));
    Files.createSymbolicLink(storeDir.resolve("images/b"), outside.resolve("dir"));

    assertThat(store.list("images/"))
        .extracting(RemoteObject::key)
        .containsExactly("images/a/1.tar");
    assertThat(store.resolve(new ImageReference("images/a/"))).hasSize(1);
    assertThatThrownBy(() -> store.resolve(new ImageReference("images/a/2.tar")))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE);
              assertThat(e.code()).isEqualTo("object-outside-store");
            });
    assertThatThrownBy(() -> store.resolve(new ImageReference("images/b/1.tar")))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("object-outside-store"));
    RemoteObject forged = new RemoteObject("images/a/2.tar", 100, "x");
    assertThatThrownBy(() -> store.download(forged, scratch.resolve("p"), 1000, p -> {}))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("object-outside-store"));
    assertThat(Files.size(scratch.resolve("p"))).isZero();
  }

  @Test
  void aMissingDirectoryIsNotFound() {
    assertThatThrownBy(() -> new LocalDirectoryObjectStore(storeDir.resolve("nope")))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void aSecondConcurrentDownloadIntoTheSamePartialFileIsRefused() {
    byte[] body = bytes(1000, 5);
    ObjectStore store = storeWith(Map.of("images/a/1.tar", body));
    RemoteObject o = store.resolve(new ImageReference("images/a/1.tar")).get(0);
    Path partial = scratch.resolve("p");

    try (PartialFile first = PartialFile.open(partial, o.size())) {
      assertThat(first.length()).isZero();
      assertThatThrownBy(() -> store.download(o, partial, 10_000, p -> {}))
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                assertThat(e.code()).isEqualTo("partial-file-busy");
              });
    }
    assertThat(store.download(o, partial, 10_000, p -> {}).digest()).isEqualTo(sha256(body));
  }
}
