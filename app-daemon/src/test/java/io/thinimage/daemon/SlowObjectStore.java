package io.thinimage.daemon;

import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.port.ObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/** A real store whose downloads take at least {@code delayMillis}, so a test can act mid-run. */
final class SlowObjectStore implements ObjectStore {
  private final ObjectStore delegate;
  private final long delayMillis;

  SlowObjectStore(ObjectStore delegate, long delayMillis) {
    this.delegate = delegate;
    this.delayMillis = delayMillis;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public List<RemoteObject> resolve(ImageReference reference) {
    return delegate.resolve(reference);
  }

  @Override
  public List<RemoteObject> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public Download download(
      RemoteObject object, Path partialFile, long maxBytes, LongConsumer progress) {
    try {
      Thread.sleep(delayMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return delegate.download(object, partialFile, maxBytes, progress);
  }
}
