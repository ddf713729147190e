package io.thinimage.core.api;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.Image;

/**
 * What {@link ImageManager#process} produced.
 *
 * @param image the image, READY
 * @param activation its activation (null when activation was not asked for)
 * @param alreadyDone true when nothing had to be downloaded, unpacked or created
 * @param blobsDownloaded layers fetched by this call (0 when all were here)
 * @param bytesDownloaded bytes fetched by this call
 * @param volumesBuilt chain volumes built by this call
 * @param runId the pipeline run that did (or confirmed) the work
 */
public record ProcessResult(
    Image image,
    Activation activation,
    boolean alreadyDone,
    int blobsDownloaded,
    long bytesDownloaded,
    int volumesBuilt,
    String runId) {}
