package io.thinimage.core.layer;

import io.thinimage.core.domain.BlobDigest;

/** What applying one layer did. (Skeleton: the layer-application work may add fields.) */
public record ApplyReport(BlobDigest digest, long entries, long bytes, long whiteouts) {}
