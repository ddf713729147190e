package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.RepositoryTransaction;

/**
 * Deleting an image record, shared by {@code delete} and gc's retention so both refuse the same
 * things: an image with live activations or an active pipeline run is never deleted.
 */
public final class ImageDeletion {
  private ImageDeletion() {}

  /**
   * Deletes the image and its finished activation records inside {@code tx}. NOT_FOUND for an
   * unknown image, CONFLICT {@code image-has-activations} or {@code image-busy} while it is in use.
   * Its chain volumes and blobs stay: gc removes them once no image uses them.
   */
  public static void delete(RepositoryTransaction tx, String imageId) {
    if (tx.findImage(imageId).isEmpty()) {
      throw ThinImageException.notFound("image-not-found", "no image " + imageId);
    }
    long live = tx.listActivations(imageId).stream().filter(Activation::isLive).count();
    if (live > 0) {
      throw ThinImageException.conflict(
          "image-has-activations",
          "image " + imageId + " has " + live + " live activation(s); deactivate them first");
    }
    if (tx.findActiveRun(ImagePipelineFsm.TYPE, imageId).isPresent()) {
      throw ThinImageException.conflict("image-busy", "image " + imageId + " is being processed");
    }
    for (Activation a : tx.listActivations(imageId)) {
      if (a.state() == ActivationState.INACTIVE || a.state() == ActivationState.FAILED) {
        tx.deleteActivation(a.id());
      }
    }
    tx.deleteImage(imageId);
  }
}
