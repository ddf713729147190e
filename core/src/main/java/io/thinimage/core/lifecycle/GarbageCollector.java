package io.thinimage.core.lifecycle;

import io.thinimage.core.api.GcReport;
import io.thinimage.core.api.GcReport.Finding;
import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.engine.Run;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reconciles the store ⇄ the pool ⇄ the blob directory and lists every leftover; with force, acts
 * on each — only on objects that carry our naming and have no owning record, or on records whose
 * object is gone; never while a run is active, never on a mounted volume.
 */
public final class GarbageCollector {
  private final LifecycleServices s;

  public GarbageCollector(LifecycleServices services) {
    this.s = services;
  }

  /** Finds leftovers; acts on them when {@code force}. */
  public GcReport collect(boolean force) {
    List<Run> active = s.repository().read(r -> r.listActiveRuns());
    if (force && !active.isEmpty()) {
      throw ThinImageException.conflict(
          "gc-runs-active",
          active.size()
              + " run(s) in flight (e.g. "
              + active.get(0).id()
              + "); gc --force acts only when nothing is running");
    }
    List<Finding> findings = new ArrayList<>();
    List<Runnable> actions = new ArrayList<>();
    volumes(findings, actions);
    poolDebris(findings, actions);
    blobs(findings, actions, active);
    if (force) {
      actions.forEach(Runnable::run);
    }
    return new GcReport(findings, force);
  }

  private void volumes(List<Finding> findings, List<Runnable> actions) {
    Map<Long, PoolVolume> inPool =
        s.pool().list().stream().collect(Collectors.toMap(PoolVolume::thinId, Function.identity()));
    List<Volume> records = s.repository().read(r -> r.listVolumes());
    Set<Long> recorded = records.stream().map(Volume::thinId).collect(Collectors.toSet());
    for (PoolVolume pv : inPool.values()) {
      if (recorded.contains(pv.thinId())) {
        continue;
      }
      String name = VolumeSpec.nameFor(pv.thinId());
      if (pv.mounted()) {
        findings.add(new Finding(Kind.MOUNTED_SKIPPED, name, "no record, but mounted", "none"));
        continue;
      }
      findings.add(
          new Finding(Kind.ORPHAN_VOLUME, name, "in the pool with no record", "delete volume"));
      actions.add(
          () -> {
            VolumeSpec spec = VolumeSpec.of(pv.thinId(), s.config().volumeSizeBytes());
            s.pool().deactivate(spec);
            s.pool().delete(spec);
          });
    }
    Set<ChainId> used = new HashSet<>();
    for (Image i : s.repository().read(r -> r.listImages())) {
      i.layers().stream().map(ImageLayer::chain).filter(Objects::nonNull).forEach(used::add);
    }
    // Without a view of inactive volumes, "not listed" may just mean "not active" (after a
    // reboot, every volume): report such records, never forget them.
    boolean seesInactive = s.pool().listsInactiveVolumes();
    for (Volume v : records) {
      if (!inPool.containsKey(v.thinId()) && !seesInactive) {
        findings.add(
            new Finding(
                Kind.RECORD_WITHOUT_VOLUME,
                v.name(),
                v.kind()
                    + " "
                    + v.state()
                    + ", not active; the pool cannot list inactive volumes (thin_ls missing)",
                "none"));
      } else if (!inPool.containsKey(v.thinId())) {
        findings.add(
            new Finding(
                Kind.RECORD_WITHOUT_VOLUME,
                v.name(),
                v.kind() + " " + v.state() + ", gone from the pool",
                "forget record"));
        actions.add(() -> forgetVolume(v));
      } else if (v.kind() == VolumeKind.CHAIN && !used.contains(v.chain())) {
        if (inPool.get(v.thinId()).mounted()) {
          findings.add(
              new Finding(Kind.MOUNTED_SKIPPED, v.name(), "unreferenced but mounted", "none"));
          continue;
        }
        findings.add(
            new Finding(
                Kind.UNREFERENCED_VOLUME,
                v.name(),
                "chain " + v.chain().digest().shortHex() + " is used by no image",
                "delete volume and record"));
        actions.add(
            () -> {
              s.pool().delete(v.spec());
              s.repository()
                  .inTransaction(
                      tx -> {
                        tx.deleteVolume(v.thinId());
                        return null;
                      });
            });
      }
    }
  }

  private void poolDebris(List<Finding> findings, List<Runnable> actions) {
    for (String item : s.pool().debris()) {
      findings.add(
          new Finding(
              Kind.POOL_DEBRIS, item, "left by an interrupted copy or delete", "delete files"));
      actions.add(() -> s.pool().deleteDebris(item));
    }
  }

  /** A record whose object vanished: forget it, and stop calling what depended on it ready. */
  private void forgetVolume(Volume v) {
    s.repository()
        .inTransaction(
            tx -> {
              var now = s.clock().instant();
              for (var a : tx.listActivations()) {
                if (a.thinId() == v.thinId() && a.isLive()) {
                  tx.updateActivation(a.withState(ActivationState.INACTIVE, null, now), a.state());
                }
              }
              if (v.kind() == VolumeKind.CHAIN) {
                for (Image i : tx.listImages()) {
                  boolean uses = i.layers().stream().anyMatch(l -> v.chain().equals(l.chain()));
                  if (uses && i.state() == ImageState.READY) {
                    tx.putImage(i.withState(ImageState.PENDING, null, null, now));
                  }
                }
              }
              tx.deleteVolume(v.thinId());
              return null;
            });
  }

  private void blobs(List<Finding> findings, List<Runnable> actions, List<Run> active) {
    Set<String> activeIds = active.stream().map(Run::id).collect(Collectors.toSet());
    for (Path p : s.blobs().partialFiles()) {
      if (!activeIds.contains(p.getFileName().toString())) {
        findings.add(
            new Finding(Kind.STRAY_PARTIAL, p.toString(), "no run owns it", "delete file"));
        actions.add(() -> s.blobs().deletePartial(p));
      }
    }
    Set<BlobDigest> referenced = new HashSet<>();
    for (Image i : s.repository().read(r -> r.listImages())) {
      i.layers().stream().map(ImageLayer::digest).filter(Objects::nonNull).forEach(referenced::add);
    }
    Map<String, Blob> recorded =
        s.repository().read(r -> r.listBlobs()).stream()
            .collect(Collectors.toMap(b -> b.digest().hex(), Function.identity()));
    for (Path p : s.blobs().storedFiles()) {
      String name = p.getFileName().toString();
      Blob blob = recorded.get(name);
      if (blob == null) {
        findings.add(
            new Finding(Kind.BLOB_WITHOUT_RECORD, p.toString(), "no record", "delete file"));
        actions.add(() -> deleteFile(p));
        continue;
      }
      String actual = sha256(p);
      if (!name.equals(actual)) {
        findings.add(
            new Finding(
                Kind.CORRUPT_BLOB,
                p.toString(),
                "content hashes to " + actual.substring(0, 12),
                "delete file and record (it is downloaded again when needed)"));
        actions.add(() -> forgetBlob(blob.digest()));
      } else if (!referenced.contains(blob.digest())) {
        findings.add(
            new Finding(
                Kind.UNREFERENCED_BLOB,
                p.toString(),
                "referenced by no image",
                "delete file and record"));
        actions.add(() -> forgetBlob(blob.digest()));
      }
    }
  }

  private void forgetBlob(BlobDigest digest) {
    s.repository()
        .inTransaction(
            tx -> {
              tx.deleteBlob(digest);
              return null;
            });
    s.blobs().delete(digest);
  }

  private static void deleteFile(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "gc-io", "cannot delete " + p + ": " + e.getMessage(), e);
    }
  }

  private static String sha256(Path p) {
    var md = BlobDigest.newSha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "gc-io", "cannot read " + p + ": " + e.getMessage(), e);
    }
    return BlobDigest.of(md.digest()).hex();
  }
}
