package io.thinimage.core.api;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The public entry point of thinimage: process an image reference into a ready, activated image;
 * list, activate, deactivate and delete; report status. Built from ports with {@link
 * ImageManagerBuilder}. Thread-safe. On build it reconciles the store with the pool and resumes
 * every run a previous process left unfinished.
 */
public interface ImageManager extends AutoCloseable {

  /** Starts building a manager from its ports. */
  static ImageManagerBuilder builder() {
    return new ImageManagerBuilder();
  }

  /**
   * Pulls (only what is missing), unpacks (only chains not built yet) and activates (unless a live
   * activation exists and {@code options.newActivation()} is false) the image. Blocks until done.
   * Idempotent. Errors are {@link io.thinimage.core.domain.ThinImageException}s whose kind gives
   * the CLI exit code; the failure is also recorded on the image and its run.
   */
  ProcessResult process(
      ImageReference reference, ProcessOptions options, ProgressListener progress);

  /**
   * Starts processing in the background and returns the pipeline run at once (durable before this
   * returns). Idempotent: a reference already being processed returns its active run. Follow it
   * with {@link #findRun} and {@link #history}.
   */
  Run submit(ImageReference reference, ProcessOptions options);

  /**
   * What a finished image pipeline run produced, as {@link #process} would have returned it: for a
   * caller that {@link #submit}ted and waited elsewhere (the daemon's clients). NOT_FOUND for an
   * unknown run or one that is not an image pipeline, CONFLICT {@code run-not-finished} while it
   * runs, and the run's own typed error if it failed or was cancelled.
   */
  ProcessResult result(String runId);

  /**
   * Cancels a run (and its active children): at its next step boundary it compensates and ends
   * CANCELLED. Idempotent. NOT_FOUND for an unknown run.
   */
  Run cancel(String runId);

  /**
   * Resumes every unfinished run on background threads and returns at once. For services built with
   * {@link ImageManagerBuilder#resumeOnBuild(boolean) resumeOnBuild(false)}, which want to answer
   * requests while old work finishes.
   */
  void resumeInBackground();

  /** Makes a run waiting for a retry try again now. NOT_FOUND for an unknown run. */
  Run retryNow(String runId);

  /** All images, newest first. */
  List<Image> listImages();

  /** One image by id. */
  Optional<Image> findImage(String imageId);

  /** All activations, newest first. */
  List<Activation> listActivations();

  /** Creates a new activation of a READY image. NOT_FOUND / CONFLICT when not READY. */
  Activation activate(String imageId);

  /** Removes an activation's device and volume. Idempotent for an already inactive one. */
  Activation deactivate(String activationId);

  /**
   * Deletes an image record (its chain volumes stay while other images share them; gc removes
   * unreferenced ones). CONFLICT {@code image-has-activations} while it has live activations.
   */
  void deleteImage(String imageId);

  /**
   * Reconciles the store, the pool and the blob directory and lists every leftover (dry run), or
   * acts on them ({@code force}). Force is refused (CONFLICT {@code gc-runs-active}) while any run
   * is in flight; mounted volumes are never touched. Same as {@link #gc(GcOptions)} without a
   * retention.
   */
  default GcReport gc(boolean force) {
    return gc(GcOptions.of(force));
  }

  /**
   * Like {@link #gc(boolean)}, and with a retention ({@link GcOptions#unusedFor()}) also lists (or,
   * with force, deletes) images unused for that long, with the chain volumes and blobs only they
   * use, and cached blobs of ready images stored that long ago. Never touches an image with a live
   * activation or an active run.
   */
  GcReport gc(GcOptions options);

  /** What {@code status} shows. Never blocked by an unsafe host. */
  StatusReport status();

  /** The most recent runs, newest first. */
  List<Run> recentRuns(int limit);

  /** One run and its history. */
  Optional<Run> findRun(String runId);

  /** A run's transition history, in order. */
  List<TransitionRecord> history(String runId);

  /** Writes a consistent, verified copy of the store to {@code target}. */
  void backup(Path target);

  /** Parks running work resumably and closes the store (checkpointed). Idempotent. */
  @Override
  void close();
}
