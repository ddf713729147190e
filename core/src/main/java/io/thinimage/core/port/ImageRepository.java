package io.thinimage.core.port;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * The single durable store: domain rows (blobs, images, volumes, activations) and the state
 * machines' runs and history live in one database, so a transition's completion and its domain
 * writes commit in one transaction ({@link #inTransaction}). There is no second store to diverge.
 *
 * <p>Implementations are safe for concurrent use; writes are serialised. A committed transaction is
 * durable when {@link #inTransaction} returns.
 */
public interface ImageRepository extends AutoCloseable {

  /**
   * Runs {@code work} in one write transaction and commits it when {@code work} returns; rolls back
   * if it throws (the exception propagates unchanged). Never nest calls.
   */
  <T> T inTransaction(Function<RepositoryTransaction, T> work);

  /** Runs {@code query} against a consistent read snapshot. Never blocks writers for long. */
  <T> T read(Function<RepositoryReader, T> query);

  /** Where the store lives and how it is doing, for {@code status}. */
  StoreInfo info();

  /**
   * Writes a consistent copy of the store to {@code target} (integrity-checked before and after,
   * written to a temp file, fsynced, renamed). Refuses to overwrite an existing file and to back up
   * a corrupt store (INVALID_INPUT code {@code store-corrupt}).
   */
  void backup(Path target);

  /** Flushes everything to the main database file (WAL checkpoint) and releases it. Idempotent. */
  @Override
  void close();

  /** What {@code status} shows about the store. Sizes are bytes. */
  record StoreInfo(
      String location, long sizeBytes, long walSizeBytes, int schemaVersion, boolean walLarge) {}
}
