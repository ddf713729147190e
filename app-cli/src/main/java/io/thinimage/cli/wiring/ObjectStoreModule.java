package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.adapters.s3.ObjectStores;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.port.ObjectStore;
import jakarta.inject.Singleton;
import java.net.URI;

/**
 * Where layers come from: {@code s3://BUCKET[/PREFIX]} (region, endpoint and anonymous access from
 * the options) or {@code file:///DIR} (the same key layout in a directory).
 */
public final class ObjectStoreModule extends AbstractModule {
  @Provides
  @Singleton
  ObjectStore objectStore(CliConfig config, Closer closer) {
    ObjectStore store =
        ObjectStores.fromUri(
            config.storeUri(),
            o -> {
              var tuned = o.withRegion(config.region()).withAnonymous(config.anonymous());
              return config.s3Endpoint().isEmpty()
                  ? tuned
                  : tuned.withEndpoint(URI.create(config.s3Endpoint()), true);
            });
    if (store instanceof AutoCloseable c) {
      closer.register(c);
    }
    return store;
  }
}
