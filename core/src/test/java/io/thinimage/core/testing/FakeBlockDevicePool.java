package io.thinimage.core.testing;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.layer.RootFilesystemFactory;
import io.thinimage.core.port.BlockDevicePool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link BlockDevicePool} for unit tests, the engine's and users' own. Each volume
 * holds an {@link InMemoryRootFilesystem}; a snapshot is a deep copy. State lives on the instance,
 * so a test that "restarts" the engine over the same fake sees what the "kernel" kept — exactly as
 * a real pool survives a process crash.
 *
 * <p>Failure injection: {@link #failNext}, {@link #failOn}, {@link #refuseAllocations}, {@link
 * #latency}. Counters: {@link #operations()} and {@link #count}.
 */
public final class FakeBlockDevicePool implements BlockDevicePool {
  private static final Path MOUNT_ROOT = Path.of("/fake-pool");

  /** One volume as the fake keeps it. */
  private static final class FakeVolume {
    final VolumeSpec spec;
    final InMemoryRootFilesystem fs;
    boolean active;
    boolean mounted;

    FakeVolume(VolumeSpec spec, InMemoryRootFilesystem fs) {
      this.spec = spec;
      this.fs = fs;
    }
  }

  private final Map<Long, FakeVolume> volumes = new TreeMap<>();
  private final List<String> operations = new ArrayList<>();
  private final AtomicInteger failCount = new AtomicInteger();
  private RuntimeException failWith;
  private String failOperation;
  private String refusal;
  private Duration latency = Duration.ZERO;

  @Override
  public String driver() {
    return "fake";
  }

  /** Makes the next {@code n} mutating calls throw {@code e}. */
  public synchronized FakeBlockDevicePool failNext(int n, RuntimeException e) {
    failCount.set(n);
    failWith = e;
    failOperation = null;
    return this;
  }

  /** Makes the next {@code n} calls of one operation (e.g. {@code "createSnapshot"}) throw. */
  public synchronized FakeBlockDevicePool failOn(String operation, int n, RuntimeException e) {
    failCount.set(n);
    failWith = e;
    failOperation = operation;
    return this;
  }

  /** Makes the pool refuse new allocations (as a full or read-only pool does); null to accept. */
  public synchronized FakeBlockDevicePool refuseAllocations(String reason) {
    this.refusal = reason;
    return this;
  }

  /** Adds latency to every mutating call. */
  public synchronized FakeBlockDevicePool latency(Duration d) {
    this.latency = d;
    return this;
  }

  /** Every call made, in order, as {@code op:name}. */
  public synchronized List<String> operations() {
    return List.copyOf(operations);
  }

  /** How many calls of one operation were made. */
  public synchronized long count(String operation) {
    return operations.stream().filter(o -> o.startsWith(operation + ":")).count();
  }

  /** The ids of every volume that exists. */
  public synchronized List<Long> volumeIds() {
    return List.copyOf(volumes.keySet());
  }

  /** The filesystem of a volume, for assertions. */
  public synchronized InMemoryRootFilesystem filesystem(long thinId) {
    FakeVolume v = volumes.get(thinId);
    if (v == null) {
      throw new IllegalArgumentException("no volume " + thinId);
    }
    return v.fs;
  }

  /** The layer seam over this fake's mount points. */
  public RootFilesystemFactory filesystems() {
    return this::open;
  }

  private synchronized RootFilesystem open(Path root) {
    for (FakeVolume v : volumes.values()) {
      if (root.equals(mountPoint(v.spec))) {
        if (!v.mounted) {
          throw new IllegalStateException("volume not mounted: " + root);
        }
        return v.fs;
      }
    }
    throw new IllegalStateException("no volume at " + root);
  }

  private static Path mountPoint(VolumeSpec spec) {
    return MOUNT_ROOT.resolve(spec.name());
  }

  private void enter(String op, VolumeSpec spec) {
    operations.add(op + ":" + spec.name());
    if (!latency.isZero()) {
      try {
        Thread.sleep(latency.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failWith != null
        && failCount.get() > 0
        && (failOperation == null || failOperation.equals(op))) {
      failCount.decrementAndGet();
      throw failWith;
    }
  }

  private void requireAllocatable() {
    if (refusal != null) {
      throw ThinImageException.unsafe("pool-refuses-allocation", refusal);
    }
  }

  @Override
  public synchronized PoolStatus status() {
    long used = volumes.size();
    return new PoolStatus(
        "fake", used, 1_000, used, 1_000, refusal == null ? "rw" : "ro", refusal == null, refusal);
  }

  @Override
  public synchronized void createVolume(VolumeSpec volume) {
    enter("createVolume", volume);
    if (volumes.containsKey(volume.thinId())) {
      return;
    }
    requireAllocatable();
    volumes.put(volume.thinId(), new FakeVolume(volume, new InMemoryRootFilesystem(true)));
  }

  @Override
  public synchronized void createSnapshot(VolumeSpec origin, VolumeSpec snapshot) {
    enter("createSnapshot", snapshot);
    if (volumes.containsKey(snapshot.thinId())) {
      return;
    }
    FakeVolume o = volumes.get(origin.thinId());
    if (o == null) {
      throw ThinImageException.notFound("origin-missing", "no origin volume " + origin.name());
    }
    requireAllocatable();
    volumes.put(snapshot.thinId(), new FakeVolume(snapshot, o.fs.copy()));
  }

  @Override
  public synchronized Path mount(VolumeSpec volume) {
    enter("mount", volume);
    FakeVolume v = existing(volume);
    v.active = true;
    v.mounted = true;
    return mountPoint(volume);
  }

  @Override
  public synchronized void unmount(VolumeSpec volume) {
    enter("unmount", volume);
    FakeVolume v = volumes.get(volume.thinId());
    if (v != null) {
      v.mounted = false;
    }
  }

  @Override
  public synchronized String activate(VolumeSpec volume) {
    enter("activate", volume);
    existing(volume).active = true;
    return "/dev/fake/" + volume.name();
  }

  @Override
  public synchronized void deactivate(VolumeSpec volume) {
    enter("deactivate", volume);
    FakeVolume v = volumes.get(volume.thinId());
    if (v != null) {
      if (v.mounted) {
        throw ThinImageException.transientFailure(
            "device-busy", volume.name() + " is mounted", null);
      }
      v.active = false;
    }
  }

  @Override
  public synchronized void delete(VolumeSpec volume) {
    enter("delete", volume);
    FakeVolume v = volumes.get(volume.thinId());
    if (v == null) {
      return;
    }
    if (v.mounted) {
      throw ThinImageException.transientFailure("device-busy", volume.name() + " is mounted", null);
    }
    volumes.remove(volume.thinId());
  }

  @Override
  public synchronized List<PoolVolume> list() {
    return volumes.values().stream()
        .map(
            v ->
                new PoolVolume(
                    v.spec.thinId(),
                    v.active,
                    v.mounted,
                    v.active ? "/dev/fake/" + v.spec.name() : null))
        .toList();
  }

  /** Simulates a reboot: every device inactive and unmounted, data kept. */
  public synchronized void reboot() {
    for (FakeVolume v : volumes.values()) {
      v.active = false;
      v.mounted = false;
    }
  }

  private FakeVolume existing(VolumeSpec spec) {
    FakeVolume v = volumes.get(spec.thinId());
    if (v == null) {
      throw ThinImageException.notFound("volume-missing", "no volume " + spec.name());
    }
    return v;
  }
}
