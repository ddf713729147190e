package io.thinimage.core.port;

/**
 * Where new run and activation ids come from, injected so the core is deterministic under test. Ids
 * are unique, URL- and filename-safe, and sort roughly by creation time.
 */
public interface IdSource {
  /** A new unique id with the given prefix, e.g. {@code run-01J...}. */
  String newId(String prefix);
}
