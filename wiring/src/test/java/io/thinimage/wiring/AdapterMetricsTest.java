package io.thinimage.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thinimage.adapters.s3.S3ObjectStore;
import io.thinimage.adapters.s3.S3Options;
import io.thinimage.adapters.sqlite.SqliteImageRepository;
import io.thinimage.core.testing.FakeObjectStore;
import io.thinimage.core.testing.InMemoryImageRepository;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapters' own meters reach a service's registry; other ports add none. */
class AdapterMetricsTest {
  @TempDir Path tmp;

  @Test
  void sqlitePoolsAndS3RetriesAreBound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SqliteImageRepository sqlite = SqliteImageRepository.open(tmp.resolve("t.db"));
        S3ObjectStore s3 =
            S3ObjectStore.create(
                S3Options.forBucket("bucket", "")
                    .withEndpoint(URI.create("http://127.0.0.1:9"), true)
                    .withAnonymous(true))) {
      AdapterMetrics.of(sqlite, s3).forEach(b -> b.bindTo(registry));
      assertThat(registry.getMeters())
          .extracting(m -> m.getId().getName())
          .contains("hikaricp.connections.active", "resilience4j.retry.calls");
      assertThat(
              registry
                  .find("hikaricp.connections.active")
                  .tag("pool", "thinimage-sqlite-write")
                  .meters())
          .extracting(Meter::getId)
          .hasSize(1);
    }
  }

  @Test
  void portsThatAreNotTheseAdaptersAddNothing() {
    assertThat(AdapterMetrics.of(new InMemoryImageRepository(), new FakeObjectStore())).isEmpty();
  }
}
