package io.thinimage.core.lifecycle;

import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.blob.BlobStore;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import java.time.Clock;

/**
 * The ports and helpers the lifecycle steps act through. Internal: not part of the public API.
 *
 * @param repository the single durable store
 * @param objectStore where blobs come from
 * @param pool where volumes live
 * @param rootFilesystems opens the layer seam on a mounted volume
 * @param blobs the local blob directory
 * @param applier the layer rules
 * @param clock the injected clock
 * @param config tunables
 */
public record LifecycleServices(
    ImageRepository repository,
    ObjectStore objectStore,
    BlockDevicePool pool,
    RootFilesystemFactory rootFilesystems,
    BlobStore blobs,
    LayerApplier applier,
    Clock clock,
    ManagerConfig config) {}
