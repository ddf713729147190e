package io.thinimage.core.lifecycle;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on start, before any run resumes: compares the store with the pool and the blob directory.
 * Volumes whose device vanished (and that no active run owns) are marked BROKEN, visible in status;
 * activations that should be active are re-activated (after a reboot, dm devices are gone while
 * thin ids remain); partial downloads no active run owns are removed. Pool volumes with no record
 * are reported, never deleted here (gc decides). A pool that cannot list inactive volumes
 * (devicemapper without {@code thin_ls}) proves nothing by a missing volume: its records are kept,
 * and its activations are re-activated by trying.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /** What reconcile found and did. */
  public record Report(
      int markedBroken, int reactivated, int partialsRemoved, List<Long> unknownPoolVolumes) {}

  private final LifecycleServices s;

  public Reconciler(LifecycleServices services) {
    this.s = services;
  }

  public Report reconcile() {
    List<Run> active = s.repository().read(r -> r.listActiveRuns());
    Set<String> activeRunIds = active.stream().map(Run::id).collect(Collectors.toSet());
    Map<Long, PoolVolume> inPool =
        s.pool().list().stream().collect(Collectors.toMap(PoolVolume::thinId, Function.identity()));
    boolean seesInactive = s.pool().listsInactiveVolumes();
    List<Volume> volumes = s.repository().read(r -> r.listVolumes());
    Set<Long> known = new HashSet<>();
    int broken = 0;
    for (Volume v : volumes) {
      known.add(v.thinId());
      boolean owned = v.ownerRunId() != null && activeRunIds.contains(v.ownerRunId());
      boolean settled = v.state() == VolumeState.READY;
      if (settled && !owned && !inPool.containsKey(v.thinId())) {
        if (!seesInactive) {
          continue; // most likely just inactive after a reboot; gc reports it, never forgets it
        }
        s.repository()
            .inTransaction(
                tx -> {
                  tx.updateVolume(v.withState(VolumeState.BROKEN, s.clock().instant()), v.state());
                  return null;
                });
        log.atError()
            .addKeyValue("thin_id", v.thinId())
            .log(
                "volume {} is recorded READY but the pool does not have it: marked BROKEN",
                v.name());
        broken++;
      }
    }
    int reactivated = 0;
    for (Activation a : s.repository().read(r -> r.listActivations())) {
      if (a.state() != ActivationState.ACTIVE) {
        continue;
      }
      PoolVolume pv = inPool.get(a.thinId());
      if (pv != null && !pv.active()) {
        Volume v = s.repository().read(r -> r.findVolume(a.thinId())).orElseThrow();
        s.pool().activate(v.spec());
        reactivated++;
      } else if (pv == null && !seesInactive) {
        reactivated += reactivateUnseen(a) ? 1 : 0;
      }
    }
    int partials = 0;
    for (Path p : s.blobs().partialFiles()) {
      String owner = p.getFileName().toString();
      // Re-read the owner now: a service reconciles while it already accepts work, and a run
      // started after the snapshot above is committed ACTIVE before it creates its file.
      boolean owned =
          activeRunIds.contains(owner)
              || s.repository()
                  .read(r -> r.findRun(owner))
                  .map(r -> r.status().isActive())
                  .orElse(false);
      if (!owned) {
        s.blobs().deletePartial(p);
        partials++;
      }
    }
    List<Long> unknown =
        inPool.keySet().stream().filter(id -> !known.contains(id)).sorted().toList();
    if (!unknown.isEmpty()) {
      log.atWarn().log("pool volumes with no record (gc can remove them): {}", unknown);
    }
    return new Report(broken, reactivated, partials, unknown);
  }

  /**
   * Re-activates an activation whose volume the pool cannot list: a failure (the thin id is really
   * gone) is logged and left for status and gc, not allowed to stop the start.
   */
  private boolean reactivateUnseen(Activation a) {
    Volume v = s.repository().read(r -> r.findVolume(a.thinId())).orElse(null);
    if (v == null) {
      return false;
    }
    try {
      s.pool().activate(v.spec());
      return true;
    } catch (ThinImageException e) {
      log.atError()
          .addKeyValue("activation", a.id())
          .addKeyValue("code", e.code())
          .log("cannot re-activate {}: {}", v.name(), e.getMessage());
      return false;
    }
  }
}
