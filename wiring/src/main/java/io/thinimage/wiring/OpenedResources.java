package io.thinimage.wiring;

import com.google.inject.spi.ProvisionListener;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything {@link AutoCloseable} the injector has provided, closed last opened first by {@link
 * #close()}: the manager before the store it writes to, the S3 client after both. Only what was
 * actually opened is closed, so a command that never asked for the manager never opens (or closes)
 * the database.
 */
public final class OpenedResources implements AutoCloseable, ProvisionListener {
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  @Override
  public <T> void onProvision(ProvisionInvocation<T> provision) {
    T instance = provision.provision();
    if (instance instanceof AutoCloseable c) {
      synchronized (this) {
        opened.push(c);
      }
    }
  }

  /**
   * Adds {@code resource} to what {@link #close()} closes (after everything opened later), for what
   * an app opens itself, such as a lock it holds while the injector's resources are in use.
   */
  public synchronized <T extends AutoCloseable> T register(T resource) {
    opened.push(resource);
    return resource;
  }

  /**
   * Closes each opened resource once, newest first; a failure does not stop the others, the first
   * one is rethrown with the rest suppressed.
   */
  @Override
  public synchronized void close() {
    RuntimeException first = null;
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
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
