package io.thinimage.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.port.ObjectStore;
import jakarta.inject.Singleton;

/** Where layers come from: {@code s3://BUCKET[/PREFIX]} or {@code file:///DIR}. */
public final class ObjectStoreModule extends AbstractModule {
  @Provides
  @Singleton
  ObjectStore objectStore(CliConfig config) {
    throw Missing.adapter("the object store for " + config.storeUri());
  }
}
