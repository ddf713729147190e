package io.thinimage.adapters.devicemapper;

import io.thinimage.adapters.devicemapper.DmStatus.Failed;
import io.thinimage.adapters.devicemapper.DmStatus.ThinPoolStatus;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link BlockDevicePool} on a devicemapper thin-pool through {@code dmsetup}. Volume devices are
 * {@code <pool>-ti-<id>}; a device of any other name is never listed, changed or removed. The
 * thin-pool itself is made by {@link PoolSetup}. Mutations are serialised on this object; the
 * kernel serialises against other processes.
 */
public final class DevicemapperPool implements BlockDevicePool {
  /** Metadata blocks of dm-thin are always 4 KiB. */
  private static final long METADATA_BLOCK_BYTES = 4096;

  private final DevicemapperConfig config;
  private final Dmsetup dm;
  private final Ext4 fs;
  private final AllocationGuard guard;
  private final ThinLs thinLs;
  private final Path mountInfo;
  private long dataBlockSectors = -1;

  /** A pool on the real host (mount table {@code /proc/self/mountinfo}). */
  public DevicemapperPool(DevicemapperConfig config, CommandRunner runner) {
    this(config, runner, MountInfo.SELF);
  }

  /** A pool checking mounts against the given mountinfo file (tests). */
  public DevicemapperPool(DevicemapperConfig config, CommandRunner runner, Path mountInfo) {
    this.config = config;
    this.dm =
        new Dmsetup(runner, config.commandTimeout(), config.busyRetries(), config.busyRetryDelay());
    this.fs =
        new Ext4(
            runner,
            config.mkfsTimeout(),
            config.commandTimeout(),
            config.mkfsExtendedOptions(),
            mountInfo);
    this.guard = new AllocationGuard(config.minFreeDataRatio(), config.minFreeMetadataRatio());
    this.thinLs = new ThinLs(runner, dm, config.commandTimeout());
    this.mountInfo = mountInfo;
  }

  @Override
  public String driver() {
    return "devicemapper";
  }

  /** The device-mapper name of a volume: {@code <pool>-<volume name>}. */
  public String deviceName(VolumeSpec volume) {
    return config.poolName() + "-" + volume.name();
  }

  /** The device node of a volume. */
  public String devicePath(VolumeSpec volume) {
    return "/dev/mapper/" + deviceName(volume);
  }

  /** Where a volume is mounted while written. */
  public Path mountPoint(VolumeSpec volume) {
    return config.mountRoot().resolve(volume.name());
  }

  private String poolDevice() {
    return "/dev/mapper/" + config.poolName();
  }

  /** The thin table of a volume, from its stored virtual size. */
  public String table(VolumeSpec volume) {
    return Dmsetup.thinTable(volume.virtualSectors(), poolDevice(), volume.thinId());
  }

  @Override
  public synchronized PoolStatus status() {
    DmStatus st;
    try {
      st = dm.status(config.poolName());
    } catch (ThinImageException e) {
      if (e.kind() == ErrorKind.NOT_FOUND) {
        return new PoolStatus(driver(), -1, -1, -1, -1, "absent", false, "pool-missing");
      }
      throw e;
    }
    String refusal = guard.check(st).map(AllocationGuard.Refusal::code).orElse(null);
    if (st instanceof ThinPoolStatus p) {
      long blockBytes = dataBlockSectors() * 512;
      return new PoolStatus(
          driver(),
          p.dataUsedBlocks() * blockBytes,
          p.dataTotalBlocks() * blockBytes,
          p.metadataUsedBlocks() * METADATA_BLOCK_BYTES,
          p.metadataTotalBlocks() * METADATA_BLOCK_BYTES,
          p.needsCheck() ? "needs_check" : p.mode().name().toLowerCase(Locale.ROOT),
          refusal == null,
          refusal);
    }
    String mode = st instanceof Failed f ? f.word().toLowerCase(Locale.ROOT) : "unknown";
    return new PoolStatus(driver(), -1, -1, -1, -1, mode, false, refusal);
  }

  /** The pool's data block size, read once from its table. */
  private long dataBlockSectors() {
    if (dataBlockSectors < 0) {
      String table = dm.table(config.poolName()).orElseThrow(() -> poolMissing());
      String[] f = table.split(" ");
      if (f.length < 7 || !"thin-pool".equals(f[2])) {
        throw ThinImageException.unsafe(
            "pool-not-a-pool", config.poolName() + " is not a thin-pool: " + table);
      }
      dataBlockSectors = Long.parseLong(f[5]);
    }
    return dataBlockSectors;
  }

  private ThinImageException poolMissing() {
    return ThinImageException.unsafe(
        "pool-missing", "thin-pool " + config.poolName() + " is not active (run setup-pool)");
  }

  /** Throws the guard's refusal if the pool must not allocate now. */
  private void requireAllocatable(String statusLine) {
    if (statusLine == null) {
      throw poolMissing();
    }
    Optional<AllocationGuard.Refusal> refusal = guard.check(DmStatusParser.parse(statusLine));
    if (refusal.isPresent()) {
      throw refusal.get().toException();
    }
  }

  @Override
  public synchronized void createVolume(VolumeSpec volume) {
    Map<String, String> all = dm.statusAll();
    requireAllocatable(all.get(config.poolName()));
    dm.createThin(config.poolName(), volume.thinId());
    String dev = ensureActive(volume);
    if (!fs.hasFilesystem(dev)) {
      fs.mkfs(dev);
    }
  }

  @Override
  public synchronized void createSnapshot(VolumeSpec origin, VolumeSpec snapshot) {
    // One status call answers three questions: pool health, is the snapshot already active, is
    // the origin active (and so must be suspended around create_snap).
    Map<String, String> all = dm.statusAll();
    requireAllocatable(all.get(config.poolName()));
    if (all.containsKey(deviceName(snapshot))) {
      return;
    }
    String originName = deviceName(origin);
    if (all.containsKey(originName)) {
      // Kernel rule: an active origin must be suspended while its snapshot is taken, or the
      // snapshot can be corrupt. Suspend also flushes and freezes a mounted filesystem.
      dm.suspend(originName);
      try {
        dm.createSnap(config.poolName(), snapshot.thinId(), origin.thinId());
      } finally {
        dm.resume(originName);
      }
    } else {
      dm.createSnap(config.poolName(), snapshot.thinId(), origin.thinId());
    }
  }

  @Override
  public synchronized Path mount(VolumeSpec volume) {
    Path dir = mountPoint(volume);
    if (fs.isMounted(dir)) {
      return dir;
    }
    String dev = ensureActive(volume);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw ThinImageException.transientFailure(
          "mount-point-unavailable", "cannot create mount point " + dir, e);
    }
    fs.mount(dev, dir);
    return dir;
  }

  @Override
  public synchronized void unmount(VolumeSpec volume) {
    Path dir = mountPoint(volume);
    fs.unmount(dir);
    removeEmptyDir(dir);
    dm.remove(deviceName(volume));
  }

  @Override
  public synchronized String activate(VolumeSpec volume) {
    return ensureActive(volume);
  }

  @Override
  public synchronized void deactivate(VolumeSpec volume) {
    requireNotMounted(volume);
    dm.remove(deviceName(volume));
  }

  @Override
  public synchronized void delete(VolumeSpec volume) {
    requireNotMounted(volume);
    if (dm.remove(deviceName(volume)) == Dmsetup.RemoveOutcome.DEFERRED) {
      throw ThinImageException.transientFailure(
          "volume-busy",
          deviceName(volume) + " is still open; it is removed on last close, delete later",
          null);
    }
    dm.deleteThin(config.poolName(), volume.thinId());
    removeEmptyDir(mountPoint(volume));
  }

  @Override
  public synchronized List<PoolVolume> list() {
    String prefix = config.poolName() + "-" + VolumeSpec.nameFor(0).replace("0", "");
    List<MountInfo.Entry> mounts = MountInfo.read(mountInfo);
    Map<Long, PoolVolume> byId = new TreeMap<>();
    List<DeviceInfo> infos = dm.infoAll();
    for (DeviceInfo info : infos) {
      Optional<Long> id = ourId(info.name(), prefix);
      if (id.isEmpty()) {
        continue;
      }
      String path = "/dev/mapper/" + info.name();
      Path dir = config.mountRoot().resolve(VolumeSpec.nameFor(id.get()));
      boolean mounted =
          MountInfo.at(mounts, dir).isPresent()
              || mounts.stream().anyMatch(m -> m.source().equals(path));
      byId.put(id.get(), new PoolVolume(id.get(), info.live(), mounted, path));
    }
    if (config.useThinLs()) {
      Optional<TreeSet<Long>> inMetadata = thinLs.thinIds(config.poolName());
      if (inMetadata.isPresent() && !inMetadata.get().isEmpty()) {
        Set<Long> foreign = foreignThinIds(infos, prefix);
        for (long id : inMetadata.get()) {
          PoolVolume ours = byId.get(id);
          if (foreign.contains(id)) {
            // Opened by a device we did not name: in use outside our control, as good as
            // mounted, so never deleted (the kernel would refuse anyway, and gc would fail on it
            // each time). Whether our own device is active is still ours to say.
            byId.put(
                id,
                ours == null
                    ? new PoolVolume(id, false, true, null)
                    : new PoolVolume(id, ours.active(), true, ours.devicePath()));
          } else if (ours == null) {
            byId.put(id, new PoolVolume(id, false, false, null));
          }
        }
      }
    }
    return new ArrayList<>(byId.values());
  }

  /** Thin ids of this pool that a device not named by us exposes (an operator's debug device). */
  private Set<Long> foreignThinIds(List<DeviceInfo> infos, String prefix) {
    Set<String> poolDevices = new HashSet<>(List.of(poolDevice()));
    infos.stream()
        .filter(i -> i.name().equals(config.poolName()))
        .forEach(i -> poolDevices.add(i.major() + ":" + i.minor()));
    Set<Long> out = new HashSet<>();
    for (Map.Entry<String, String> t : dm.tablesAll("thin")) {
      // <start> <length> thin <pool dev> <dev id> [<external origin>]
      String[] f = t.getValue().split(" +");
      boolean ours = ourId(t.getKey(), prefix).isPresent();
      if (!ours && f.length >= 5 && "thin".equals(f[2]) && poolDevices.contains(f[3])) {
        try {
          out.add(Long.parseLong(f[4]));
        } catch (NumberFormatException e) {
          // Not a thin table we understand: nothing to exclude.
        }
      }
    }
    return out;
  }

  /** Whether thin_ls answered for this pool, i.e. whether list() shows inactive volumes. */
  @Override
  public synchronized boolean listsInactiveVolumes() {
    return config.useThinLs() && thinLs.thinIds(config.poolName()).isPresent();
  }

  private static Optional<Long> ourId(String name, String prefix) {
    if (!name.startsWith(prefix) || name.length() == prefix.length()) {
      return Optional.empty();
    }
    String digits = name.substring(prefix.length());
    if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 8) {
      return Optional.empty();
    }
    long id = Long.parseLong(digits);
    // "ti-007" is not a name we produce: only the canonical spelling is ours.
    if (id > VolumeSpec.MAX_THIN_ID || !digits.equals(Long.toString(id))) {
      return Optional.empty();
    }
    return Optional.of(id);
  }

  /**
   * Activates the volume's device with the table from its stored size; an existing device is kept
   * if its table is the one we would load.
   */
  private String ensureActive(VolumeSpec volume) {
    String name = deviceName(volume);
    try {
      if (dm.create(name, table(volume))) {
        return devicePath(volume);
      }
    } catch (ThinImageException e) {
      if ("dm-thin-missing".equals(e.code())) {
        // libdevmapper reverts a failed create, but be sure no table-less husk is left behind.
        dm.info(name).filter(i -> !i.live()).ifPresent(i -> dm.remove(name));
        throw ThinImageException.notFound(
            "volume-not-found", "thin id " + volume.thinId() + " does not exist in the pool");
      }
      throw e;
    }
    // Already active: it may be scheduled for deferred removal; keep it.
    dm.cancelDeferredRemove(name);
    if (!Files.exists(Path.of(devicePath(volume)))) {
      dm.mknodes(name);
    }
    String live = dm.table(name).orElseThrow(() -> poolMissing());
    String[] f = live.split(" ");
    if (f.length != 5
        || !"thin".equals(f[2])
        || !f[1].equals(Long.toString(volume.virtualSectors()))
        || !f[4].equals(Long.toString(volume.thinId()))) {
      throw ThinImageException.conflict(
          "volume-table-mismatch",
          name + " is active with table '" + live + "', expected '" + table(volume) + "'");
    }
    return devicePath(volume);
  }

  private void requireNotMounted(VolumeSpec volume) {
    String path = devicePath(volume);
    boolean mounted =
        fs.isMounted(mountPoint(volume))
            || MountInfo.read(mountInfo).stream().anyMatch(m -> m.source().equals(path));
    if (mounted) {
      throw ThinImageException.transientFailure(
          "volume-mounted", deviceName(volume) + " is mounted; unmount it first", null);
    }
  }

  private static void removeEmptyDir(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Not empty or busy: a leftover directory is harmless and the next mount reuses it.
    }
  }
}
