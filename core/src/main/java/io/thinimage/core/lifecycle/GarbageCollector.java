package io.thinimage.core.lifecycle;

import io.thinimage.core.api.GcOptions;
import io.thinimage.core.api.GcReport;
import io.thinimage.core.api.GcReport.Finding;
import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.domain.Activation;
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
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reconciles the store ⇄ the pool ⇄ the blob directory and lists every leftover; with force, acts
 * on each — only on objects that carry our naming and have no owning record, or on records whose
 * object is gone; never while a run is active, never on a mounted volume.
 *
 * <p>With a retention it also expires images unused for that long (never one with a live activation
 * or an active run) and drops cached blobs of ready images. Everything is decided against the
 * images that remain once the expired ones are gone, so the chain volumes and blobs an expired
 * image alone used are listed — and removed — in the same run.
 */
public final class GarbageCollector {
  private final LifecycleServices s;

  public GarbageCollector(LifecycleServices services) {
    this.s = services;
  }

  /** Finds leftovers without a retention; acts on them when {@code force}. */
  public GcReport collect(boolean force) {
    return collect(GcOptions.of(force));
  }

  /** Finds leftovers (and, with a retention, what has expired); acts on them when forced. */
  public GcReport collect(GcOptions options) {
    boolean force = options.force();
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
    Optional<Instant> cutoff = options.unusedFor().map(d -> s.clock().instant().minus(d));
    List<Image> images = s.repository().read(r -> r.listImages());
    List<Volume> records = s.repository().read(r -> r.listVolumes());
    Set<String> inFlight =
        active.stream()
            .filter(r -> r.type().equals(ImagePipelineFsm.TYPE))
            .map(Run::resourceId)
            .collect(Collectors.toSet());
    // Expired images go first: the volume and blob actions below count on them being gone.
    Set<String> expired =
        cutoff.isPresent()
            ? expiredImages(cutoff.get(), images, inFlight, findings, actions)
            : Set.of();
    List<Image> remaining = images.stream().filter(i -> !expired.contains(i.id())).toList();
    Map<ChainId, Set<String>> chainsOfExpired = new LinkedHashMap<>();
    Map<BlobDigest, Set<String>> blobsOfExpired = new LinkedHashMap<>();
    for (Image i : images) {
      if (expired.contains(i.id())) {
        for (ImageLayer l : i.layers()) {
          if (l.chain() != null) {
            chainsOfExpired.computeIfAbsent(l.chain(), c -> new TreeSet<>()).add(i.id());
          }
          if (l.digest() != null) {
            blobsOfExpired.computeIfAbsent(l.digest(), d -> new TreeSet<>()).add(i.id());
          }
        }
      }
    }
    volumes(findings, actions, records, remaining, chainsOfExpired);
    poolDebris(findings, actions);
    Set<BlobDigest> cacheOnly =
        cutoff.isPresent() ? cacheOnly(remaining, inFlight, records) : Set.of();
    blobs(findings, actions, active, remaining, blobsOfExpired, cutoff, cacheOnly);
    if (force) {
      actions.forEach(Runnable::run);
    }
    return new GcReport(findings, force);
  }

  /**
   * Images with no live activation and no active run whose last use is before {@code cutoff}; adds
   * their findings and delete actions, and returns their ids.
   */
  private Set<String> expiredImages(
      Instant cutoff,
      List<Image> images,
      Set<String> inFlight,
      List<Finding> findings,
      List<Runnable> actions) {
    Map<String, List<Activation>> activations =
        s.repository().read(r -> r.listActivations()).stream()
            .collect(Collectors.groupingBy(Activation::imageId));
    Set<String> expired = new HashSet<>();
    for (Image i : images) {
      List<Activation> own = activations.getOrDefault(i.id(), List.of());
      if (inFlight.contains(i.id()) || own.stream().anyMatch(Activation::isLive)) {
        continue;
      }
      Instant lastUse = lastUse(i, own);
      if (!lastUse.isBefore(cutoff)) {
        continue;
      }
      expired.add(i.id());
      findings.add(
          new Finding(
              Kind.EXPIRED_IMAGE,
              i.id(),
              i.reference().value()
                  + " "
                  + i.state()
                  + ", last used "
                  + lastUse
                  + "; its chain volumes and blobs no other image uses go with it",
              "delete image"));
      actions.add(() -> expire(i.id(), cutoff));
    }
    return expired;
  }

  /** The latest moment the image or any of its activations changed: its last use. */
  private static Instant lastUse(Image image, List<Activation> activations) {
    Instant last = image.updatedAt();
    for (Activation a : activations) {
      for (Instant t : new Instant[] {a.createdAt(), a.updatedAt()}) {
        if (t != null && t.isAfter(last)) {
          last = t;
        }
      }
    }
    return last;
  }

  /**
   * Deletes an expired image as {@code delete} does, after checking again in the same transaction
   * that nothing used it since the scan (a gc racing a process or activate must lose).
   */
  private void expire(String imageId, Instant cutoff) {
    s.repository()
        .inTransaction(
            tx -> {
              Optional<Image> now = tx.findImage(imageId);
              if (now.isEmpty()) {
                return null;
              }
              if (!lastUse(now.get(), tx.listActivations(imageId)).isBefore(cutoff)) {
                throw ThinImageException.conflict(
                    "gc-raced", "image " + imageId + " was used during gc; run gc again");
              }
              ImageDeletion.delete(tx, imageId);
              return null;
            });
  }

  private void volumes(
      List<Finding> findings,
      List<Runnable> actions,
      List<Volume> records,
      List<Image> remaining,
      Map<ChainId, Set<String>> chainsOfExpired) {
    Map<Long, PoolVolume> inPool =
        s.pool().list().stream().collect(Collectors.toMap(PoolVolume::thinId, Function.identity()));
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
    Set<ChainId> used = chainsOf(remaining);
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
        Set<String> freedBy = chainsOfExpired.get(v.chain());
        findings.add(
            new Finding(
                Kind.UNREFERENCED_VOLUME,
                v.name(),
                "chain "
                    + v.chain().digest().shortHex()
                    + (freedBy == null
                        ? " is used by no image"
                        : " is used by no image once expired "
                            + String.join(", ", freedBy)
                            + " is deleted"),
                "delete volume and record"));
        actions.add(
            () -> {
              // Checked again: an image processed since the scan may use this chain now.
              if (chainsOf(s.repository().read(r -> r.listImages())).contains(v.chain())) {
                throw ThinImageException.conflict(
                    "gc-raced", "volume " + v.name() + " came into use during gc; run gc again");
              }
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

  private static Set<ChainId> chainsOf(List<Image> images) {
    Set<ChainId> used = new HashSet<>();
    for (Image i : images) {
      i.layers().stream().map(ImageLayer::chain).filter(Objects::nonNull).forEach(used::add);
    }
    return used;
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

  private void blobs(
      List<Finding> findings,
      List<Runnable> actions,
      List<Run> active,
      List<Image> remaining,
      Map<BlobDigest, Set<String>> blobsOfExpired,
      Optional<Instant> cutoff,
      Set<BlobDigest> cacheOnly) {
    Set<String> activeIds = active.stream().map(Run::id).collect(Collectors.toSet());
    for (Path p : s.blobs().partialFiles()) {
      if (!activeIds.contains(p.getFileName().toString())) {
        findings.add(
            new Finding(Kind.STRAY_PARTIAL, p.toString(), "no run owns it", "delete file"));
        actions.add(() -> s.blobs().deletePartial(p));
      }
    }
    Set<BlobDigest> referenced = new HashSet<>();
    for (Image i : remaining) {
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
        Set<String> freedBy = blobsOfExpired.get(blob.digest());
        findings.add(
            new Finding(
                Kind.UNREFERENCED_BLOB,
                p.toString(),
                freedBy == null
                    ? "referenced by no image"
                    : "referenced by no image once expired "
                        + String.join(", ", freedBy)
                        + " is deleted",
                "delete file and record"));
        actions.add(() -> forgetBlob(blob.digest()));
      } else if (cacheOnly.contains(blob.digest())
          && blob.storedAt().isBefore(cutoff.orElseThrow())) {
        findings.add(
            new Finding(
                Kind.EXPIRED_BLOB,
                p.toString(),
                "stored " + blob.storedAt() + "; only ready images use it, their chains are built",
                "delete file and record (downloaded again when needed)"));
        actions.add(() -> forgetBlob(blob.digest()));
      }
    }
  }

  /**
   * Blobs that are only a cache: every image referencing them is READY, not being processed, and
   * the chain built from the blob has a READY volume. A blob some other image still needs to build
   * (pending, failed, or with its chain volume missing) is not in the set.
   */
  private static Set<BlobDigest> cacheOnly(
      List<Image> remaining, Set<String> inFlight, List<Volume> records) {
    Set<ChainId> built =
        records.stream()
            .filter(v -> v.kind() == VolumeKind.CHAIN && v.state() == VolumeState.READY)
            .map(Volume::chain)
            .collect(Collectors.toSet());
    Set<BlobDigest> cache = new HashSet<>();
    Set<BlobDigest> needed = new HashSet<>();
    for (Image i : remaining) {
      boolean settled = i.state() == ImageState.READY && !inFlight.contains(i.id());
      for (ImageLayer l : i.layers()) {
        if (l.digest() == null) {
          continue;
        }
        if (settled && l.chain() != null && built.contains(l.chain())) {
          cache.add(l.digest());
        } else {
          needed.add(l.digest());
        }
      }
    }
    cache.removeAll(needed);
    return cache;
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
