package io.thinimage.cli.wiring;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes what the providers opened, last opened first (the manager before the store it uses). One
 * per invocation; a failure to close one resource does not stop the others.
 */
public final class Closer implements AutoCloseable {
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  /** Registers {@code c} and returns it. */
  public synchronized <T extends AutoCloseable> T register(T c) {
    resources.push(c);
    return c;
  }

  @Override
  public synchronized void close() {
    RuntimeException first = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
