package io.thinimage.core.api;

/**
 * Progress of {@link ImageManager#process}, for progress bars. Called from the worker thread;
 * implementations must be quick and must not throw.
 */
public interface ProgressListener {
  /** A stage began for a layer: {@code download} or {@code unpack}, {@code total} bytes. */
  default void stageStarted(String stage, String layerKey, long totalBytes) {}

  /** Bytes done so far in the current stage of that layer. */
  default void progress(String stage, String layerKey, long doneBytes) {}

  /** The stage finished for that layer ({@code skipped} when nothing had to be done). */
  default void stageFinished(String stage, String layerKey, boolean skipped) {}

  /** A listener that ignores everything. */
  static ProgressListener none() {
    return new ProgressListener() {};
  }
}
