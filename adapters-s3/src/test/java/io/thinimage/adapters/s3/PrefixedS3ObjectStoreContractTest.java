package io.thinimage.adapters.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The port contract on an S3 store rooted at a key prefix, with decoys outside the prefix that
 * would break the family cases if the prefix were ignored.
 */
class PrefixedS3ObjectStoreContractTest extends S3ObjectStoreContractTest {

  @Override
  protected String storePrefix() {
    return "mirror/v1/";
  }

  @Override
  protected void seedOutsidePrefix(LocalS3Server server, String bucket) {
    byte[] decoy = "decoy".getBytes(StandardCharsets.UTF_8);
    server.put(bucket, "images/golang/12.tar", decoy);
    server.put(bucket, "images/node/3.tar", decoy);
    server.put(bucket, "mirror/v2/images/a/1.tar", decoy);
  }

  @Test
  void describesBucketAndPrefix() {
    S3ObjectStore store = (S3ObjectStore) storeWith(Map.of());
    assertThat(store.describe()).isEqualTo("s3://" + store.options().bucket() + "/mirror/v1");
  }
}
