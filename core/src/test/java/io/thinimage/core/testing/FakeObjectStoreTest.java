package io.thinimage.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The port contract on the fake, plus the fake's own counters and failure injection. */
class FakeObjectStoreTest extends ObjectStoreContract {

  @Override
  protected ObjectStore storeWith(Map<String, byte[]> objects) {
    FakeObjectStore store = new FakeObjectStore("contract");
    store.putAll(objects);
    return store;
  }

  @Override
  protected void replaceObject(ObjectStore store, String key, byte[] body) {
    ((FakeObjectStore) store).put(key, body);
  }

  @Test
  void describesAsFakeUri() {
    assertThat(new FakeObjectStore("bucket").describe()).isEqualTo("fake://bucket");
  }

  @Test
  void etagChangesOnlyWithContent() {
    FakeObjectStore store = new FakeObjectStore();
    String a = store.put("k", bytes(10, 1)).etag();
    assertThat(store.put("k", bytes(10, 1)).etag()).isEqualTo(a);
    assertThat(store.put("k", bytes(10, 2)).etag()).isNotEqualTo(a);
  }

  @Test
  void countsListsAndTransferringDownloads() {
    FakeObjectStore store = new FakeObjectStore();
    store.put("images/a/1.tar", bytes(100, 1));
    RemoteObject o = store.resolve(new ImageReference("images/a/")).get(0);
    store.list("images/");
    Path partial = scratch.resolve("p");

    store.download(o, partial, 1000, p -> {});
    store.download(o, partial, 1000, p -> {});

    assertThat(store.listCount()).isEqualTo(2);
    assertThat(store.getCount()).as("the second call found the file complete").isEqualTo(1);
  }

  @Test
  void failNextFailsExactlyNCalls() {
    FakeObjectStore store = new FakeObjectStore();
    store.put("images/a/1.tar", bytes(10, 1));
    ThinImageException boom = ThinImageException.transientFailure("boom", "injected", null);
    store.failNext(2, boom);

    assertThatThrownBy(() -> store.list("images/")).isSameAs(boom);
    assertThatThrownBy(() -> store.resolve(new ImageReference("images/a/"))).isSameAs(boom);
    assertThat(store.list("images/")).hasSize(1);
  }

  @Test
  void aCutDownloadLeavesAPrefixThatTheNextCallResumes() throws IOException {
    FakeObjectStore store = new FakeObjectStore();
    byte[] body = bytes(200_000, 9);
    RemoteObject o = store.put("images/a/1.tar", body);
    Path partial = scratch.resolve("p");
    store.cutNextDownloadAfter(70_000);

    assertThatThrownBy(() -> store.download(o, partial, body.length, p -> {}))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
              assertThat(e.code()).isEqualTo("transfer-interrupted");
            });
    assertThat(Files.size(partial)).isEqualTo(70_000);

    ObjectStore.Download d = store.download(o, partial, body.length, p -> {});
    assertThat(d.bytesTransferred()).isEqualTo(130_000);
    assertThat(d.digest()).isEqualTo(sha256(body));
    assertThat(store.getCount()).isEqualTo(2);
  }

  @Test
  void removedObjectIsNotFound() {
    FakeObjectStore store = new FakeObjectStore();
    RemoteObject o = store.put("images/a/1.tar", bytes(10, 1));
    store.remove("images/a/1.tar");

    assertThat(store.contains("images/a/1.tar")).isFalse();
    assertThatThrownBy(() -> store.download(o, scratch.resolve("p"), 100, p -> {}))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }
}
