package io.thinimage.adapters.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectStoresTest {
  @TempDir Path dir;

  @Test
  void parsesBucketAndPrefix() {
    assertThat(ObjectStores.parse("s3://my-bucket"))
        .isEqualTo(new ObjectStores.Location("my-bucket", "", null));
    assertThat(ObjectStores.parse("s3://my-bucket/images/"))
        .isEqualTo(new ObjectStores.Location("my-bucket", "images/", null));
    assertThat(ObjectStores.parse("s3://my-bucket/a/b"))
        .isEqualTo(new ObjectStores.Location("my-bucket", "a/b", null));
  }

  @Test
  void parsesADirectory() {
    assertThat(ObjectStores.parse("file:///var/lib/images").directory())
        .isEqualTo(Path.of("/var/lib/images"));
  }

  @Test
  void buildsBothKinds() throws Exception {
    ObjectStore local = ObjectStores.fromUri(dir.toUri().toString());
    assertThat(local).isInstanceOf(LocalDirectoryObjectStore.class);
    assertThat(local.describe()).isEqualTo("file://" + dir.toRealPath());

    ObjectStore s3 =
        ObjectStores.fromUri(
            "s3://some-bucket/images", o -> o.withAnonymous(true).withRegion("eu-west-1"));
    try (S3ObjectStore store = (S3ObjectStore) s3) {
      assertThat(store.describe()).isEqualTo("s3://some-bucket/images");
      assertThat(store.options().prefix()).isEqualTo("images/");
      assertThat(store.options().region()).isEqualTo("eu-west-1");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "bucket",
        "http://x/y",
        "s3://",
        "s3:///prefix",
        "file://host/dir",
        "file:rel"
      })
  void refusesMalformedUris(String uri) {
    assertThatThrownBy(() -> ObjectStores.parse(uri))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("bad-store-uri"));
  }
}
