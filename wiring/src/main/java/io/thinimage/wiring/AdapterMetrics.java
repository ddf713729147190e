package io.thinimage.wiring;

import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.thinimage.adapters.s3.S3ObjectStore;
import io.thinimage.adapters.sqlite.SqliteImageRepository;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics the adapters themselves keep, as Micrometer binders for a service's registry: the
 * SQLite store's connection pools (Hikari) and the S3 store's retries (Resilience4j). Ports that
 * are not these adapters (fakes, a wrapped store) contribute nothing.
 */
public final class AdapterMetrics {
  private AdapterMetrics() {}

  /** The binders of whichever of {@code repository} and {@code store} keep metrics of their own. */
  public static List<MeterBinder> of(ImageRepository repository, ObjectStore store) {
    List<MeterBinder> binders = new ArrayList<>();
    if (repository instanceof SqliteImageRepository sqlite) {
      binders.add(sqlite::bindMetrics);
    }
    if (store instanceof S3ObjectStore s3) {
      binders.add(TaggedRetryMetrics.ofRetryRegistry(s3.retryRegistry()));
    }
    return List.copyOf(binders);
  }
}
