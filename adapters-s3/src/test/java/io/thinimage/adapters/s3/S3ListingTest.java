package io.thinimage.adapters.s3;

import static io.thinimage.adapters.s3.S3ObjectStoreContractTest.testCredentials;
import static io.thinimage.adapters.s3.S3ObjectStoreContractTest.testOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Listing and resolving against a real S3 server: pages, ordering, anonymous access, no re-GET. */
class S3ListingTest {
  @TempDir Path scratch;
  private final LocalS3Server server = LocalS3Server.get();
  private FaultProxy proxy;
  private String bucket;

  @BeforeEach
  void setUp(TestInfo info) throws IOException {
    bucket = server.newBucket(info.getTestMethod().orElseThrow().getName());
    for (int n = 1; n <= 10; n++) {
      server.put(
          bucket, "images/golang/" + n + ".tar", ("layer " + n).getBytes(StandardCharsets.UTF_8));
    }
    proxy = new FaultProxy(server.endpoint());
  }

  @AfterEach
  void tearDown() throws IOException {
    proxy.close();
  }

  @Test
  void resolvesAcrossSmallPagesInNumericOrder() {
    try (S3ObjectStore store =
        S3ObjectStore.create(
            testOptions(bucket, "", proxy.endpoint()).withMaxKeys(3), testCredentials())) {
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
              "images/golang/10.tar");
      // 10 keys at 3 per page: 4 list requests, the later ones with a continuation token.
      assertThat(proxy.requests()).hasSize(4);
      assertThat(proxy.requests().subList(1, 4))
          .allSatisfy(s -> assertThat(s.target()).contains("continuation-token="));
    }
  }

  @Test
  void anonymousAccessWorksOnAPublicEndpoint() {
    try (S3ObjectStore store =
        S3ObjectStore.create(
            testOptions(bucket, "", server.anonymousEndpoint()).withAnonymous(true))) {
      List<RemoteObject> layers = store.resolve(new ImageReference("images/golang/"));
      var download = store.download(layers.get(9), scratch.resolve("10"), 100, p -> {});

      assertThat(layers).hasSize(10);
      assertThat(download.digest()).isEqualTo(BlobDigest.sha256("layer 10"));
    }
  }

  @Test
  void reResolvingAnUnchangedFamilyFetchesNoBodyAgain() {
    try (S3ObjectStore store =
        S3ObjectStore.create(testOptions(bucket, "", proxy.endpoint()), testCredentials())) {
      ImageReference ref = new ImageReference("images/golang/");
      for (RemoteObject o : store.resolve(ref)) {
        store.download(o, scratch.resolve(o.key().replace('/', '_')), 100, p -> {});
      }
      int getsAfterFirstPull = proxy.objectGets().size();
      int requestsAfterFirstPull = proxy.requests().size();

      List<RemoteObject> again = store.resolve(ref);
      long fetched = 0;
      for (RemoteObject o : again) {
        fetched +=
            store
                .download(o, scratch.resolve(o.key().replace('/', '_')), 100, p -> {})
                .bytesTransferred();
      }

      assertThat(getsAfterFirstPull).isEqualTo(10);
      assertThat(proxy.objectGets()).hasSize(10);
      assertThat(proxy.requests()).hasSize(requestsAfterFirstPull + 1); // one list page
      assertThat(fetched).isZero();
    }
  }

  @Test
  void aFolderMarkerObjectIsNotALayer() {
    server.put(bucket, "images/golang/", new byte[0]);
    try (S3ObjectStore store =
        S3ObjectStore.create(testOptions(bucket, "", server.endpoint()), testCredentials())) {
      assertThat(store.list("images/golang/"))
          .extracting(RemoteObject::key)
          .as("the server lists the marker")
          .contains("images/golang/");
      assertThat(store.resolve(new ImageReference("images/golang/"))).hasSize(10);
    }
  }

  @Test
  void aFamilyPrefixWithTooManyKeysIsRefusedWithoutListingEverything() {
    try (S3ObjectStore store =
        S3ObjectStore.create(
            testOptions(bucket, "", proxy.endpoint()).withMaxKeys(2), testCredentials())) {
      store.familyKeyLimit(5);

      assertThatThrownBy(() -> store.resolve(new ImageReference("images/golang/")))
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
                assertThat(e.code()).isEqualTo("family-too-large");
              });
      // pages of 2: the third page would pass the limit of 5, the rest is never fetched
      assertThat(proxy.requests()).hasSize(3);
      assertThat(store.list("images/golang/")).hasSize(10);
    }
  }
}
