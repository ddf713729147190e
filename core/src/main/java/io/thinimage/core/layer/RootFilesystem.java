package io.thinimage.core.layer;

/**
 * The filesystem seam the layer rules write through: every operation is relative to one root and
 * never follows a symlink out of it. Implemented with {@code java.nio} by the pool adapters and
 * in memory by the test fakes.
 *
 * <p>(Skeleton: the layer-application work fills in the operations.)
 */
public interface RootFilesystem {}
