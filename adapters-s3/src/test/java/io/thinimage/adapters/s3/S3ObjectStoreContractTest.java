package io.thinimage.adapters.s3;

import io.thinimage.core.port.ObjectStore;
import io.thinimage.core.testing.ObjectStoreContract;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The port contract on {@link S3ObjectStore} against a real S3 server on loopback (signed). */
class S3ObjectStoreContractTest extends ObjectStoreContract {
  private final List<S3ObjectStore> opened = new ArrayList<>();

  /** Options for tests: loopback, path style, fast retries, short timeouts. */
  static S3Options testOptions(String bucket, String prefix, URI endpoint) {
    return S3Options.forBucket(bucket, prefix)
        .withEndpoint(endpoint, true)
        .withRetries(5, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(20))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  static StaticCredentialsProvider testCredentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(LocalS3Server.ACCESS_KEY, LocalS3Server.SECRET_KEY));
  }

  /** The key prefix the store is configured with (none here). */
  protected String storePrefix() {
    return "";
  }

  @Override
  protected ObjectStore storeWith(Map<String, byte[]> objects) {
    LocalS3Server server = LocalS3Server.get();
    String bucket = server.newBucket(getClass().getSimpleName());
    objects.forEach((key, body) -> server.put(bucket, storePrefix() + key, body));
    seedOutsidePrefix(server, bucket);
    S3ObjectStore store =
        S3ObjectStore.create(
            testOptions(bucket, storePrefix(), server.endpoint()), testCredentials());
    opened.add(store);
    return store;
  }

  /** Hook for subclasses to put decoys the store must not see. */
  protected void seedOutsidePrefix(LocalS3Server server, String bucket) {}

  @Override
  protected void replaceObject(ObjectStore store, String key, byte[] body) {
    S3Options options = ((S3ObjectStore) store).options();
    LocalS3Server.get().put(options.bucket(), options.prefix() + key, body);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(S3ObjectStore::close);
  }
}
