package io.thinimage.core.testing;

import io.thinimage.core.port.IdSource;
import java.util.concurrent.atomic.AtomicLong;

/** Deterministic ids for tests: {@code <prefix>-000001}, {@code <prefix>-000002}, ... */
public final class SequentialIds implements IdSource {
  private final AtomicLong next = new AtomicLong(1);

  @Override
  public String newId(String prefix) {
    return String.format(java.util.Locale.ROOT, "%s-%06d", prefix, next.getAndIncrement());
  }
}
