package io.thinimage.core.layer;

import io.thinimage.core.domain.BlobDigest;
import java.io.InputStream;
import java.time.Clock;

/**
 * Applies one OCI layer changeset onto a root filesystem. (Skeleton: the layer-application work
 * implements the rules.)
 */
public final class LayerApplier {
  private final LayerLimits limits;
  private final Clock clock;

  public LayerApplier(LayerLimits limits, Clock clock) {
    this.limits = limits;
    this.clock = clock;
  }

  /**
   * Streams {@code layer} onto {@code root}, enforcing the limits, and checks that the sha256 of
   * the stream equals {@code expectedDigest}. Fails with INVALID_INPUT (code {@code layer-...},
   * message naming the entry) on hostile or malformed input.
   */
  public ApplyReport apply(InputStream layer, BlobDigest expectedDigest, RootFilesystem root) {
    throw new UnsupportedOperationException(
        "not yet implemented" + limits + clock + layer + root + expectedDigest);
  }
}
