package io.thinimage.core.api;

import io.thinimage.core.engine.RetryPolicy;
import io.thinimage.core.layer.LayerLimits;
import java.time.Duration;

/**
 * Tunables of an {@link ImageManager}, with documented defaults ({@link #defaults()}).
 *
 * @param volumeSizeBytes virtual size of every thin volume (default 10 GiB; the pool is
 *     overcommitted by design, thin volumes only use what is written)
 * @param maxBlobBytes hard cap on one layer blob, enforced while streaming (default 16 GiB)
 * @param layerLimits limits enforced while applying a layer
 * @param retry backoff for transient failures
 * @param unsafeWait how long a run waits for an unsafe host or pool to turn safe before the caller
 *     gets an UNSAFE error (the run itself stays resumable)
 */
public record ManagerConfig(
    long volumeSizeBytes,
    long maxBlobBytes,
    LayerLimits layerLimits,
    RetryPolicy retry,
    Duration unsafeWait,
    int downloadConcurrency,
    int unpackConcurrency) {

  public static ManagerConfig defaults() {
    return new ManagerConfig(
        10L << 30,
        16L << 30,
        LayerLimits.defaults(),
        RetryPolicy.defaults(),
        Duration.ofMinutes(2),
        5,
        2);
  }

  public ManagerConfig withRetry(RetryPolicy r) {
    return new ManagerConfig(
        volumeSizeBytes,
        maxBlobBytes,
        layerLimits,
        r,
        unsafeWait,
        downloadConcurrency,
        unpackConcurrency);
  }

  public ManagerConfig withVolumeSize(long bytes) {
    return new ManagerConfig(
        bytes,
        maxBlobBytes,
        layerLimits,
        retry,
        unsafeWait,
        downloadConcurrency,
        unpackConcurrency);
  }

  public ManagerConfig withUnsafeWait(Duration d) {
    return new ManagerConfig(
        volumeSizeBytes,
        maxBlobBytes,
        layerLimits,
        retry,
        d,
        downloadConcurrency,
        unpackConcurrency);
  }

  public ManagerConfig withConcurrency(int downloads, int unpacks) {
    return new ManagerConfig(
        volumeSizeBytes, maxBlobBytes, layerLimits, retry, unsafeWait, downloads, unpacks);
  }

  public ManagerConfig withLayerLimits(LayerLimits limits) {
    return new ManagerConfig(
        volumeSizeBytes,
        maxBlobBytes,
        limits,
        retry,
        unsafeWait,
        downloadConcurrency,
        unpackConcurrency);
  }

  public ManagerConfig withMaxBlobBytes(long bytes) {
    return new ManagerConfig(
        volumeSizeBytes,
        bytes,
        layerLimits,
        retry,
        unsafeWait,
        downloadConcurrency,
        unpackConcurrency);
  }
}
