package io.thinimage.core.port;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobSource;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;

/**
 * Writes inside one transaction (see {@link ImageRepository#inTransaction}). Every update and
 * delete checks the rows it affected: a missing row is a NOT_FOUND {@link
 * io.thinimage.core.domain.ThinImageException} (code {@code row-not-found}), a row in another state
 * than expected is a CONFLICT (code {@code stale-state}); neither is ever silent.
 */
public interface RepositoryTransaction extends RepositoryReader {

  /** Stores a blob; a blob with the same digest already stored is left as it is. */
  void putBlob(Blob blob);

  /** Records where a blob came from; an identical source already recorded is left as it is. */
  void putBlobSource(BlobSource source);

  /** Forgets a blob and its sources. NOT_FOUND if absent. */
  void deleteBlob(io.thinimage.core.domain.BlobDigest digest);

  /** Inserts or replaces an image and its layers (by id). */
  void putImage(Image image);

  /** Deletes an image and its layers. NOT_FOUND if absent. */
  void deleteImage(String imageId);

  /**
   * Reserves the next thin id: monotonic, never reused, below 2^24. CONFLICT code {@code
   * thin-ids-exhausted} when none is left.
   */
  long allocateThinId();

  /** Inserts a volume. CONFLICT if its thin id, or (for a chain volume) its chain, is taken. */
  void insertVolume(Volume volume);

  /**
   * Moves a volume from {@code expected} to {@code volume.state()}; CONFLICT if not in expected.
   */
  void updateVolume(Volume volume, VolumeState expected);

  /** Deletes a volume row. NOT_FOUND if absent. */
  void deleteVolume(long thinId);

  /** Inserts an activation. CONFLICT if the id is taken. */
  void insertActivation(Activation activation);

  /** Updates an activation expected in {@code expected} state; CONFLICT otherwise. */
  void updateActivation(Activation activation, ActivationState expected);

  /** Deletes an activation row. NOT_FOUND if absent. */
  void deleteActivation(String activationId);

  /**
   * Inserts a new run. CONFLICT (code {@code run-already-active}) if an ACTIVE run of the same type
   * and resource exists: at most one, enforced by the store itself.
   */
  void insertRun(Run run);

  /**
   * Replaces a run whose stored version is {@code run.version()}, storing it with version + 1.
   * CONFLICT (code {@code stale-state}) if the stored version differs; NOT_FOUND if absent.
   *
   * @return the run as stored (version + 1)
   */
  Run updateRun(Run run);

  /** Appends one line to a run's history. */
  void appendTransition(TransitionRecord transition);
}
