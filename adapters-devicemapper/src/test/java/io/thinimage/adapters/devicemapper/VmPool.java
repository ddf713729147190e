package io.thinimage.adapters.devicemapper;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real loop-backed thin-pool for the {@code *VmIT} suites, run as root on a kernel with
 * device-mapper (the dm VM in CI). Skips the calling test (a JUnit assumption, reported as skipped)
 * anywhere else. {@link #close()} removes what it made: mounts under its mount root, devices named
 * after its pool, the pool, the loop devices; never anything else.
 */
final class VmPool implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  final CommandRunner runner = new ProcessCommandRunner();
  final String name;
  final Path dir;
  final Path mountRoot;
  final PoolSetupOptions options;
  PoolSetup.Report report;

  /** Skips the current test unless this process is root and device-mapper is present. */
  static void assumeDeviceMapper() {
    boolean control = Files.exists(Path.of("/dev/mapper/control"));
    boolean root;
    try {
      root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      root = false;
    }
    assumeTrue(control && root, "needs root and kernel device-mapper (/dev/mapper/control)");
  }

  VmPool(Path dir, long dataBytes) {
    assumeDeviceMapper();
    this.name = "tivm" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    this.dir = dir;
    this.mountRoot = dir.resolve("mnt");
    this.options =
        new PoolSetupOptions(
            name,
            dir.resolve("pool_data"),
            dir.resolve("pool_meta"),
            dataBytes,
            8L << 20,
            128,
            16,
            true);
    this.report = new PoolSetup(runner, TIMEOUT).ensure(options);
  }

  VmPool(Path dir) {
    this(dir, 512L << 20);
  }

  DevicemapperConfig config() {
    // 10 EBUSY retries instead of 50: the suite runs under emulation, every retry is a process
    return DevicemapperConfig.defaults(name, mountRoot)
        .withTimeouts(TIMEOUT, TIMEOUT)
        .withBusyRetries(10, Duration.ofMillis(100));
  }

  DevicemapperPool pool() {
    return new DevicemapperPool(config(), runner);
  }

  CommandResult sh(String... argv) {
    return runner.run(List.of(argv), TIMEOUT);
  }

  /** Tears down dm and loops but keeps the backing files: what a reboot does. */
  void reboot() {
    unmountAll();
    removeDevices(true);
    detachLoops();
  }

  /** Runs setup again after {@link #reboot()}. */
  PoolSetup.Report setupAgain() {
    report = new PoolSetup(runner, TIMEOUT).ensure(options);
    return report;
  }

  @Override
  public void close() {
    reboot();
  }

  private void unmountAll() {
    List<MountInfo.Entry> mounts = MountInfo.read(MountInfo.SELF);
    List<String> ours = new ArrayList<>();
    for (MountInfo.Entry m : mounts) {
      if (m.mountPoint().startsWith(mountRoot.toString() + "/")) {
        ours.add(0, m.mountPoint());
      }
    }
    ours.forEach(p -> sh("umount", p));
  }

  private void removeDevices(boolean includingPool) {
    Dmsetup dm = new Dmsetup(runner, TIMEOUT, 20, Duration.ofMillis(100));
    for (DeviceInfo d : dm.infoAll()) {
      if (d.name().startsWith(name + "-")) {
        dm.remove(d.name());
      }
    }
    if (includingPool) {
      dm.remove(name);
    }
  }

  private void detachLoops() {
    for (Path f : List.of(options.dataFile(), options.metadataFile())) {
      CommandResult r = sh("losetup", "-j", f.toString());
      for (String line : r.stdout().split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          sh("losetup", "-d", line.substring(0, colon));
        }
      }
    }
  }
}
