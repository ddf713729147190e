package io.thinimage.core.layer;

import java.time.Duration;

/**
 * Limits enforced while a layer streams in. (Skeleton: the layer-application work completes it.)
 */
public record LayerLimits(
    long maxFileBytes,
    long maxLayerBytes,
    long maxEntries,
    int maxPathBytes,
    int maxPathDepth,
    Duration maxWallTime) {

  /** The documented defaults. */
  public static LayerLimits defaults() {
    return new LayerLimits(8L << 30, 32L << 30, 1_000_000, 4096, 256, Duration.ofMinutes(30));
  }
}
