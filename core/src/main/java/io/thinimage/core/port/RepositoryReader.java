package io.thinimage.core.port;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;
import java.util.List;
import java.util.Optional;

/**
 * Queries of the store. Lookups by key return {@link Optional#empty()} when absent; lists are
 * ordered as documented and empty when nothing matches.
 */
public interface RepositoryReader {

  Optional<Blob> findBlob(BlobDigest digest);

  /** The blob a (store, key, ETag) was downloaded as, if it was. */
  Optional<BlobDigest> findBlobBySource(String store, String key, String etag);

  /**
   * A blob stored from another key of the same store with the same ETag and size — the same
   * content, for stores whose ETags are content hashes — if any. Lets identical layers of different
   * families be fetched once.
   */
  Optional<BlobDigest> findBlobByEtag(String store, String etag, long size);

  /** All blobs, by digest. */
  List<Blob> listBlobs();

  Optional<Image> findImage(String imageId);

  /** All images, newest first. */
  List<Image> listImages();

  Optional<Volume> findVolume(long thinId);

  /** The chain volume of a chain, whatever its state. */
  Optional<Volume> findChainVolume(ChainId chain);

  /** All volumes, by thin id. */
  List<Volume> listVolumes();

  Optional<Activation> findActivation(String activationId);

  /** All activations, newest first. */
  List<Activation> listActivations();

  /** Activations of one image, newest first. */
  List<Activation> listActivations(String imageId);

  Optional<Run> findRun(String runId);

  /** The one ACTIVE run of a type for a resource, if any. */
  Optional<Run> findActiveRun(String type, String resourceId);

  /** Every ACTIVE run, oldest first: what a restart resumes. */
  List<Run> listActiveRuns();

  /** The most recent runs of any status, newest first, at most {@code limit}. */
  List<Run> listRecentRuns(int limit);

  /** Runs started by a parent run, oldest first. */
  List<Run> listChildRuns(String parentRunId);

  /** A run's history, in order. */
  List<TransitionRecord> listTransitions(String runId);

  /** Counts for {@code status}: each an indexed query, never a scan of a view. */
  Counts counts();

  /** Counts for {@code status}. */
  record Counts(
      long images,
      long readyImages,
      long blobs,
      long chainVolumes,
      long activeActivations,
      long activeRuns,
      long failedRuns) {}
}
