package io.thinimage.adapters.s3;

import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import io.thinimage.core.port.ObjectStore;
import jakarta.inject.Singleton;
import java.util.function.UnaryOperator;

/**
 * Guice wiring of the object store named by a URI ({@code s3://BUCKET[/PREFIX]} or {@code
 * file:///DIR}): exposes only {@link ObjectStore}. Without Guice, call {@link
 * ObjectStores#fromUri(String, UnaryOperator)}.
 */
public final class ObjectStoreModule extends PrivateModule {
  private final String uri;
  private final UnaryOperator<S3Options> tune;
  private final UnaryOperator<ObjectStore> decorate;

  public ObjectStoreModule(String uri) {
    this(uri, UnaryOperator.identity());
  }

  /**
   * @param uri where the layers are
   * @param tune adjusts the S3 options (region, endpoint, anonymous, retries); ignored for {@code
   *     file://}
   */
  public ObjectStoreModule(String uri, UnaryOperator<S3Options> tune) {
    this(uri, tune, UnaryOperator.identity());
  }

  /**
   * @param uri where the layers are
   * @param tune adjusts the S3 options; ignored for {@code file://}
   * @param decorate wraps the store before it is exposed (metrics, tracing, fault injection); a
   *     wrapper that is not {@link AutoCloseable} leaves closing the store it wraps to its caller
   */
  public ObjectStoreModule(
      String uri, UnaryOperator<S3Options> tune, UnaryOperator<ObjectStore> decorate) {
    this.uri = uri;
    this.tune = tune;
    this.decorate = decorate;
  }

  @Override
  protected void configure() {
    expose(ObjectStore.class);
  }

  @Provides
  @Singleton
  ObjectStore objectStore() {
    return decorate.apply(ObjectStores.fromUri(uri, tune));
  }
}
