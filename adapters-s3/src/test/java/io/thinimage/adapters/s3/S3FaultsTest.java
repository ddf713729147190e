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
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected between the adapter and a real S3 server: every case ends in an intact sha256 or
 * the right typed error, never in a corrupt blob.
 */
class S3FaultsTest {
  private static final int MIB = 1 << 20;
  private static final String KEY = "images/a/1.tar";

  @TempDir Path scratch;
  private final LocalS3Server server = LocalS3Server.get();
  private FaultProxy proxy;
  private String bucket;
  private byte[] body;
  private S3ObjectStore store;

  @BeforeEach
  void setUp(TestInfo info) throws IOException {
    bucket = server.newBucket(info.getTestMethod().orElseThrow().getName());
    body = new byte[3 * MIB + 12345];
    new Random(42).nextBytes(body);
    server.put(bucket, KEY, body);
    proxy = new FaultProxy(server.endpoint());
    store = store(UnaryOperator.identity());
  }

  private S3ObjectStore store(UnaryOperator<S3Options> tune) {
    if (store != null) {
      store.close();
    }
    store =
        S3ObjectStore.create(
            tune.apply(testOptions(bucket, "", proxy.endpoint())), testCredentials());
    return store;
  }

  @AfterEach
  void tearDown() throws IOException {
    store.close();
    proxy.close();
  }

  private RemoteObject listed() {
    return store.resolve(new ImageReference(KEY)).get(0);
  }

  private ObjectStore.Download download(RemoteObject o, Path partial) {
    return store.download(o, partial, body.length, p -> {});
  }

  private BlobDigest expected() {
    return BlobDigest.of(BlobDigest.newSha256().digest(body));
  }

  private static void assertTyped(Throwable t, ErrorKind kind, String code) {
    assertThat(t).isInstanceOf(ThinImageException.class);
    ThinImageException e = (ThinImageException) t;
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
  }

  @Test
  void slowDownTwiceThenSuccess() throws IOException {
    RemoteObject o = listed();
    proxy.failWithStatus("GET", KEY, 2, 503, "SlowDown");
    Path partial = scratch.resolve("p");

    ObjectStore.Download d = download(o, partial);

    assertThat(d.digest()).isEqualTo(expected());
    assertThat(Files.readAllBytes(partial)).isEqualTo(body);
    assertThat(proxy.objectGets()).hasSize(3);
    assertThat(store.retryCount()).isEqualTo(2);
  }

  @Test
  void internalErrorThreeTimesThenSuccess() {
    RemoteObject o = listed();
    proxy.failWithStatus("GET", KEY, 3, 500, "InternalError");

    ObjectStore.Download d = download(o, scratch.resolve("p"));

    assertThat(d.digest()).isEqualTo(expected());
    assertThat(proxy.objectGets()).hasSize(4);
  }

  @Test
  void persistentServerErrorsEndTransientAfterTheAttemptBudget() throws IOException {
    RemoteObject o = listed();
    proxy.failWithStatus("GET", KEY, 100, 500, "InternalError");
    Path partial = scratch.resolve("p");

    assertThatThrownBy(() -> download(o, partial))
        .satisfies(t -> assertTyped(t, ErrorKind.TRANSIENT, "s3-unavailable"));
    assertThat(proxy.objectGets()).hasSize(5);
    assertThat(Files.size(partial)).isZero();
  }

  @Test
  void connectionResetIsRetried() {
    RemoteObject o = listed();
    proxy.reset("GET", KEY, 1);

    ObjectStore.Download d = download(o, scratch.resolve("p"));

    assertThat(d.digest()).isEqualTo(expected());
    assertThat(proxy.objectGets()).hasSize(2);
  }

  @Test
  void bodyCutTwiceResumesFromTheBytesOnDisk() throws IOException {
    RemoteObject o = listed();
    proxy.cutBody("GET", KEY, 2, MIB, null);
    Path partial = scratch.resolve("p");

    ObjectStore.Download d = download(o, partial);

    assertThat(d.digest()).isEqualTo(expected());
    assertThat(d.bytesTransferred()).isEqualTo(body.length);
    assertThat(Files.readAllBytes(partial)).isEqualTo(body);
    assertThat(proxy.objectGets())
        .extracting(FaultProxy.Seen::range)
        .containsExactly(null, "bytes=" + MIB + "-", "bytes=" + 2 * MIB + "-");
    assertThat(proxy.objectGets())
        .extracting(FaultProxy.Seen::ifMatch)
        .containsOnly("\"" + o.etag() + "\"");
  }

  @Test
  void aPartialFileFromAnEarlierProcessIsResumedWithARange() throws IOException {
    RemoteObject o = listed();
    Path partial = scratch.resolve("p");
    Files.write(partial, Arrays.copyOf(body, 777_777));

    ObjectStore.Download d = download(o, partial);

    assertThat(d.digest()).isEqualTo(expected());
    assertThat(d.bytesTransferred()).isEqualTo(body.length - 777_777);
    assertThat(proxy.objectGets())
        .extracting(FaultProxy.Seen::range)
        .containsExactly("bytes=777777-");
  }

  @Test
  void aStalledResponseHeadTimesOutAndIsRetried() {
    store(
        opts ->
            opts.withTimeouts(
                Duration.ofSeconds(2), Duration.ofMillis(400), Duration.ofSeconds(5)));
    RemoteObject o = listed();
    proxy.delayHead("GET", KEY, 1, Duration.ofMillis(1500));

    ObjectStore.Download d = download(o, scratch.resolve("p"));

    assertThat(d.digest()).isEqualTo(expected());
    assertThat(proxy.objectGets()).hasSize(2);
  }

  @Test
  void aStalledHeadRequestTimesOutAndIsRetried() {
    store(
        opts ->
            opts.withTimeouts(
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(400)));
    proxy.delayHead("HEAD", KEY, 1, Duration.ofMillis(1500));

    RemoteObject o = listed();

    assertThat(o.size()).isEqualTo(body.length);
    assertThat(proxy.requests()).filteredOn(s -> s.method().equals("HEAD")).hasSize(2);
  }

  @Test
  void anObjectReplacedMidDownloadIsRefusedAndNothingIsKept() throws IOException {
    RemoteObject o = listed();
    byte[] v2 = body.clone();
    v2[0] ^= 1;
    proxy.cutBody("GET", KEY, 1, MIB, () -> server.put(bucket, KEY, v2));
    Path partial = scratch.resolve("p");

    assertThatThrownBy(() -> download(o, partial))
        .satisfies(t -> assertTyped(t, ErrorKind.INVALID_INPUT, "object-changed"));
    assertThat(Files.size(partial)).isZero();
    assertThat(proxy.objectGets())
        .extracting(FaultProxy.Seen::range)
        .containsExactly(null, "bytes=" + MIB + "-");
  }

  @Test
  void forbiddenIsTypedAndNeverRetried() {
    RemoteObject o = listed();
    proxy.failWithStatus("GET", KEY, 1, 403, "AccessDenied");

    assertThatThrownBy(() -> download(o, scratch.resolve("p")))
        .satisfies(t -> assertTyped(t, ErrorKind.INVALID_INPUT, "access-denied"));
    assertThat(proxy.objectGets()).hasSize(1);
    assertThat(store.retryCount()).isZero();
  }

  @Test
  void anonymousRequestsToAPrivateServerAreAccessDenied() {
    try (S3ObjectStore anonymous =
        S3ObjectStore.create(testOptions(bucket, "", server.endpoint()).withAnonymous(true))) {
      assertThatThrownBy(() -> anonymous.resolve(new ImageReference("images/a/")))
          .satisfies(t -> assertTyped(t, ErrorKind.INVALID_INPUT, "access-denied"));
      assertThat(anonymous.retryCount()).isZero();
    }
  }

  @Test
  void anObjectDeletedAfterListingIsNotFound() {
    RemoteObject o = listed();
    server.admin().deleteObject(b -> b.bucket(bucket).key(KEY));

    assertThatThrownBy(() -> download(o, scratch.resolve("p")))
        .satisfies(t -> assertTyped(t, ErrorKind.NOT_FOUND, "object-not-found"));
  }

  @Test
  void aMissingKeyIsNotFoundWithoutRetries() {
    assertThatThrownBy(() -> store.resolve(new ImageReference("images/a/2.tar")))
        .satisfies(t -> assertTyped(t, ErrorKind.NOT_FOUND, "object-not-found"));
    assertThat(proxy.requests()).hasSize(1);
  }

  @Test
  void aMissingBucketIsNotFound() {
    try (S3ObjectStore other =
        S3ObjectStore.create(
            testOptions("no-such-bucket", "", proxy.endpoint()), testCredentials())) {
      assertThatThrownBy(() -> other.list("images/"))
          .satisfies(t -> assertTyped(t, ErrorKind.NOT_FOUND, "bucket-not-found"));
    }
  }

  @Test
  void listingRetriesAThrottledPage() {
    proxy.failWithStatus("GET", "list-type=2", 1, 503, "SlowDown");

    assertThat(store.resolve(new ImageReference("images/a/")))
        .extracting(RemoteObject::key)
        .containsExactly(KEY);
    assertThat(store.retryCount()).isEqualTo(1);
  }

  @Test
  void retryingStopsAtTheElapsedTimeBudget() {
    store(
        opts ->
            opts.withRetries(
                1000, Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(300)));
    RemoteObject o = listed();
    proxy.failWithStatus("GET", KEY, 1000, 503, "SlowDown");

    assertThatThrownBy(() -> download(o, scratch.resolve("p")))
        .satisfies(t -> assertTyped(t, ErrorKind.TRANSIENT, "s3-unavailable"));
    assertThat(proxy.objectGets().size()).isBetween(2, 100);
  }

  @Test
  void aBodyLongerOrShorterThanListedIsRefusedAndNothingIsKept() throws IOException {
    RemoteObject real = listed();
    Path partial = scratch.resolve("p");
    for (long size : new long[] {real.size() - 1, real.size() + 1}) {
      RemoteObject forged = new RemoteObject(real.key(), size, real.etag());
      assertThatThrownBy(() -> store.download(forged, partial, body.length + 1, p -> {}))
          .satisfies(t -> assertTyped(t, ErrorKind.INVALID_INPUT, "object-changed"));
      assertThat(Files.size(partial)).isZero();
    }
  }
}
