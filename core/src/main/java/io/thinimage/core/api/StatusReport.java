package io.thinimage.core.api;

import io.thinimage.core.engine.Run;
import io.thinimage.core.port.BlockDevicePool.PoolStatus;
import io.thinimage.core.port.HealthProbe.HealthReport;
import io.thinimage.core.port.ImageRepository.StoreInfo;
import io.thinimage.core.port.RepositoryReader.Counts;
import java.util.List;

/**
 * Everything {@code status} shows: the store (absolute path, sizes, schema), counts, the pool and
 * host health, runs in flight and recent failures with their reasons.
 */
public record StatusReport(
    String objectStore,
    StoreInfo store,
    Counts counts,
    PoolStatus pool,
    HealthReport health,
    List<Run> activeRuns,
    List<Run> recentFailures) {}
