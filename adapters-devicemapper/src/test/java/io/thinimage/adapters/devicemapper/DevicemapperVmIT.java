package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devicemapper pool on a real kernel thin-pool: the full volume lifecycle, a busy device, a
 * process killed mid-step, a full pool and a reboot. Skipped without root and device-mapper; run
 * inside the dm VM by {@code .ci/dm-vm-suite.sh}.
 */
class DevicemapperVmIT {
  private static final long SIZE = 128L << 20;

  @TempDir Path dir;
  private VmPool vm;
  private DevicemapperPool pool;

  @BeforeEach
  void setUp() {
    VmPool.assumeDeviceMapper();
  }

  @AfterEach
  void tearDown() {
    if (vm != null) {
      vm.close();
    }
  }

  private void start(long dataBytes) {
    vm = new VmPool(dir, dataBytes);
    pool = vm.pool();
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  private Dmsetup dm() {
    return new Dmsetup(vm.runner, VmPool.TIMEOUT, 0, Duration.ZERO);
  }

  private static VolumeSpec v(long id) {
    return VolumeSpec.of(id, SIZE);
  }

  @Test
  void lifecycleWithASnapshotOfAnActiveMountedOrigin() throws IOException {
    start(512L << 20);
    pool.createVolume(v(1));
    assertThat(pool.status().mode()).isEqualTo("rw");
    Path m = pool.mount(v(1));
    assertThat(MountInfo.at(MountInfo.read(MountInfo.SELF), m).orElseThrow().options())
        .contains("nosuid")
        .contains("nodev");
    Files.writeString(m.resolve("hello.txt"), "hello from ti-1", StandardCharsets.UTF_8);

    // snapshot while the origin is active and mounted: suspend/create_snap/resume
    pool.createSnapshot(v(1), v(2));
    assertThat(
            vm.sh("dmsetup", "info", "-c", "--noheadings", "-o", "attr", pool.deviceName(v(1)))
                .stdout())
        .doesNotContain("s");
    Files.writeString(m.resolve("after.txt"), "written after the snapshot");
    pool.unmount(v(1));
    assertThat(MountInfo.at(MountInfo.read(MountInfo.SELF), m)).isEmpty();

    Path s = pool.mount(v(2));
    assertThat(Files.readString(s.resolve("hello.txt"))).isEqualTo("hello from ti-1");
    assertThat(s.resolve("after.txt")).doesNotExist();

    // a mounted volume is never removed or deleted, not even by a "force"
    assertThatThrownBy(() -> pool.delete(v(2)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("volume-mounted"));
    pool.unmount(v(2));
    pool.delete(v(2));
    pool.delete(v(2));
    pool.delete(v(1));
    assertThat(pool.list()).isEmpty();
    assertThat(pool.status().dataUsedBytes()).isZero();
  }

  @Test
  void removeOfAnOpenDeviceRetriesThenDefersAndDeleteWaits() throws Exception {
    start(512L << 20);
    pool.createVolume(v(3));
    String dev = pool.activate(v(3));
    try (FileChannel held = FileChannel.open(Path.of(dev), StandardOpenOption.READ)) {
      held.read(ByteBuffer.allocate(512));
      // deactivate: EBUSY retried (bounded), then deferred removal; no --force, data kept
      pool.deactivate(v(3));
      assertThat(Files.exists(Path.of(dev))).isTrue();
      assertThatThrownBy(() -> pool.delete(v(3)))
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
                assertThat(e.code()).isEqualTo("volume-busy");
              });
    }
    // last close: the deferred removal happens, and delete now succeeds
    pool.delete(v(3));
    assertThat(dm().info(pool.deviceName(v(3)))).isEmpty();
    assertThat(pool.list()).isEmpty();
  }

  @Test
  void aProcessKilledAfterCreateVolumeIsReconciledFromList() throws Exception {
    start(512L << 20);
    runChildUntilStepDoneThenKill("create-volume", 5);
    DevicemapperPool restarted = vm.pool();
    assertThat(restarted.list()).extracting(PoolVolume::thinId).containsExactly(5L);
    // finish: idempotent create (EEXIST, filesystem present) then use it
    restarted.createVolume(v(5));
    Path m = restarted.mount(v(5));
    Files.writeString(m.resolve("finished"), "ok");
    restarted.unmount(v(5));
    restarted.delete(v(5));
    assertThat(restarted.list()).isEmpty();
  }

  @Test
  void aProcessKilledBetweenCreateThinAndActivationLeavesAnIdWeCanFinishOrDelete()
      throws Exception {
    start(512L << 20);
    runChildUntilStepDoneThenKill("create-thin-only", 6);
    runChildUntilStepDoneThenKill("create-thin-only", 7);
    DevicemapperPool restarted = vm.pool();
    // with thin-provisioning-tools installed, list() must see inactive ids
    assertThat(restarted.listsInactiveVolumes()).isEqualTo(onPath("thin_ls"));
    if (restarted.listsInactiveVolumes()) {
      // thin_ls on a metadata snapshot sees the inactive ids
      assertThat(restarted.list())
          .extracting(PoolVolume::thinId, PoolVolume::active)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(6L, false),
              org.assertj.core.groups.Tuple.tuple(7L, false));
    }
    restarted.createVolume(v(6)); // finish: create_thin says EEXIST for our id, then mkfs
    Files.writeString(restarted.mount(v(6)).resolve("x"), "x");
    restarted.unmount(v(6));
    restarted.delete(v(7)); // or compensate: delete, twice
    restarted.delete(v(7));
    assertThat(vm.sh("dmsetup", "message", vm.name, "0", "create_snap 8 7").ok()).isFalse();
    assertThat(restarted.list()).extracting(PoolVolume::thinId).contains(6L).doesNotContain(7L);
  }

  @Test
  void aFullPoolFailsWritesFastAndRefusesAllocation() throws Exception {
    start(48L << 20);
    DevicemapperPool noThreshold =
        new DevicemapperPool(vm.config().withThresholds(0.0, 0.0), vm.runner);
    noThreshold.createVolume(VolumeSpec.of(1, 256L << 20));
    Path m = noThreshold.mount(VolumeSpec.of(1, 256L << 20));
    assertTimeoutPreemptively(
        Duration.ofMinutes(3),
        () ->
            assertThatThrownBy(() -> fill(m.resolve("big"), 96L << 20))
                .isInstanceOf(IOException.class));
    var status = noThreshold.status();
    assertThat(status.acceptsAllocations()).isFalse();
    assertThat(status.refusalReason()).isEqualTo("pool-out-of-data-space");
    assertThatThrownBy(() -> noThreshold.createVolume(VolumeSpec.of(2, 64L << 20)))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE);
              assertThat(e.code()).isEqualTo("pool-out-of-data-space");
            });
  }

  @Test
  void thePoolRecreatedAfterARebootStillHasEveryVolume() throws Exception {
    start(512L << 20);
    pool.createVolume(v(1));
    Files.writeString(pool.mount(v(1)).resolve("survives"), "yes");
    pool.createSnapshot(v(1), v(2));
    pool.unmount(v(1));

    vm.reboot();
    assertThat(dm().info(vm.name)).isEmpty();
    PoolSetup.Report again = vm.setupAgain();
    assertThat(again.filesCreated()).isFalse();
    assertThat(again.action()).isEqualTo(PoolSetup.Action.CREATED);
    assertThat(new PoolSetup(vm.runner, VmPool.TIMEOUT).ensure(vm.options).action())
        .isEqualTo(PoolSetup.Action.ALREADY_ACTIVE);

    DevicemapperPool after = vm.pool();
    if (after.listsInactiveVolumes()) {
      assertThat(after.list()).extracting(PoolVolume::thinId).containsExactly(1L, 2L);
    }
    assertThat(Files.readString(after.mount(v(1)).resolve("survives"))).isEqualTo("yes");
    assertThat(Files.readString(after.mount(v(2)).resolve("survives"))).isEqualTo("yes");
    after.unmount(v(1));
    after.unmount(v(2));
  }

  /** Writes zeros and forces them to the device; a full pool must make this throw. */
  private static void fill(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
      for (long written = 0; written < bytes; written += chunk.length) {
        // non-zero data: ext4 does not skip it
        chunk[(int) (written / chunk.length) % chunk.length] = 1;
        out.write(chunk);
        if (written % (8L << 20) == 0) {
          ch.force(true);
        }
      }
      ch.force(true);
    }
  }

  private void runChildUntilStepDoneThenKill(String mode, long id) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        System.getProperty("thinimage.test.classpath", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp));
    cmd.addAll(
        List.of(
            CrashChild.class.getName(),
            mode,
            vm.name,
            vm.mountRoot.toString(),
            Long.toString(id),
            Long.toString(SIZE)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = r.readLine()) != null && !line.equals("STEP-DONE")) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("child output:\n%s", seen).isEqualTo("STEP-DONE");
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }
}
