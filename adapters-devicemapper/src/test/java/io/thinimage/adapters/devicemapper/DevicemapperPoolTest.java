package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's decisions on scripted dmsetup answers (no kernel device-mapper here): naming,
 * suspend/resume around create_snap, allocation refusal, foreign devices, mounted volumes. The
 * real-kernel behaviour is proven by the VM suite.
 */
class DevicemapperPoolTest {
  private static final String HEALTHY =
      "tipool: 0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown error_if_no_space - 256\n";

  @TempDir Path tmp;
  private final ScriptedRunner runner = new ScriptedRunner();
  private Path mountinfo;
  private DevicemapperPool pool;

  @BeforeEach
  void setUp() throws IOException {
    mountinfo = tmp.resolve("mountinfo");
    Files.writeString(mountinfo, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
    DevicemapperConfig cfg =
        DevicemapperConfig.defaults("tipool", tmp.resolve("mnt")).withBusyRetries(2, Duration.ZERO);
    pool =
        new DevicemapperPool(
            new DevicemapperConfig(
                cfg.poolName(),
                cfg.mountRoot(),
                cfg.minFreeDataRatio(),
                cfg.minFreeMetadataRatio(),
                cfg.commandTimeout(),
                cfg.mkfsTimeout(),
                cfg.busyRetries(),
                cfg.busyRetryDelay(),
                cfg.mkfsExtendedOptions(),
                false),
            runner,
            mountinfo);
  }

  @Test
  void namesDevicesByPoolAndVolumeAndBuildsTablesFromTheStoredSize() {
    VolumeSpec v = VolumeSpec.of(5, 1L << 30);
    assertThat(pool.deviceName(v)).isEqualTo("tipool-ti-5");
    assertThat(pool.devicePath(v)).isEqualTo("/dev/mapper/tipool-ti-5");
    assertThat(pool.table(v)).isEqualTo("0 2097152 thin /dev/mapper/tipool 5");
    assertThat(pool.mountPoint(v)).isEqualTo(tmp.resolve("mnt").resolve("ti-5"));
  }

  @Test
  void snapshotOfAnActiveOriginSuspendsAndResumesIt() {
    runner.on("dmsetup status", 0, HEALTHY + "tipool-ti-1: 0 131072 thin 0 -\n", "");
    pool.createSnapshot(VolumeSpec.of(1, 64L << 20), VolumeSpec.of(2, 64L << 20));
    assertThat(runner.calls())
        .containsExactly(
            "dmsetup status",
            "dmsetup suspend tipool-ti-1",
            "dmsetup message tipool 0 create_snap 2 1",
            "dmsetup resume tipool-ti-1");
  }

  @Test
  void originIsResumedEvenWhenCreateSnapFails() {
    runner.on("dmsetup status", 0, HEALTHY + "tipool-ti-1: 0 131072 thin 0 -\n", "");
    runner.fail(
        "dmsetup message tipool 0 create_snap",
        "device-mapper: message ioctl on tipool  failed: Input/output error");
    assertThatThrownBy(
            () -> pool.createSnapshot(VolumeSpec.of(1, 64L << 20), VolumeSpec.of(2, 64L << 20)))
        .isInstanceOf(ThinImageException.class);
    assertThat(runner.calls()).last().isEqualTo("dmsetup resume tipool-ti-1");
  }

  @Test
  void snapshotOfAnInactiveOriginDoesNotSuspend() {
    runner.on("dmsetup status", 0, HEALTHY, "");
    pool.createSnapshot(VolumeSpec.of(1, 64L << 20), VolumeSpec.of(2, 64L << 20));
    assertThat(runner.calls())
        .containsExactly("dmsetup status", "dmsetup message tipool 0 create_snap 2 1");
  }

  @Test
  void anAlreadyActiveSnapshotIsNotTakenAgain() {
    runner.on("dmsetup status", 0, HEALTHY + "tipool-ti-2: 0 131072 thin 0 -\n", "");
    pool.createSnapshot(VolumeSpec.of(1, 64L << 20), VolumeSpec.of(2, 64L << 20));
    assertThat(runner.calls()).containsExactly("dmsetup status");
  }

  @Test
  void refusesAllocationOnAFullOrUnhealthyPool() {
    runner.on(
        "dmsetup status",
        0,
        "tipool: 0 4194304 thin-pool 0 112/1024 16000/16384 - rw discard_passdown"
            + " error_if_no_space - 256\n",
        "");
    assertThatThrownBy(() -> pool.createVolume(VolumeSpec.of(3, 64L << 20)))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE);
              assertThat(e.code()).isEqualTo("pool-data-low");
            });
    assertThat(runner.calls("dmsetup message")).isEmpty();
  }

  @Test
  void aMissingPoolRefusesAllocationAndReportsAbsent() {
    runner.on("dmsetup status", 0, "No devices found\n", "");
    runner.fail("dmsetup status tipool", "Device does not exist.");
    assertThatThrownBy(() -> pool.createVolume(VolumeSpec.of(3, 64L << 20)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("pool-missing"));
    assertThat(pool.status().acceptsAllocations()).isFalse();
    assertThat(pool.status().refusalReason()).isEqualTo("pool-missing");
  }

  @Test
  void statusConvertsBlocksToBytes() {
    runner.on(
        "dmsetup status tipool",
        0,
        "0 4194304 thin-pool 0 115/1024 396/16384 - rw discard_passdown error_if_no_space - 256\n",
        "");
    runner.on(
        "dmsetup table tipool",
        0,
        "0 4194304 thin-pool 7:0 7:1 256 65536 1 error_if_no_space\n",
        "");
    var s = pool.status();
    assertThat(s.dataUsedBytes()).isEqualTo(396L * 256 * 512);
    assertThat(s.dataTotalBytes()).isEqualTo(16384L * 256 * 512);
    assertThat(s.metadataUsedBytes()).isEqualTo(115L * 4096);
    assertThat(s.mode()).isEqualTo("rw");
    assertThat(s.acceptsAllocations()).isTrue();
  }

  @Test
  void listsOnlyCanonicallyNamedDevicesOfThisPool() throws IOException {
    runner.on(
        "dmsetup info",
        0,
        String.join(
            "\n",
            "tipool 253 0 L--w 3",
            "tipool-ti-1 253 1 L--w 1",
            "tipool-ti-007 253 2 L--w 0",
            "tipool-ti-2x 253 3 L--w 0",
            "otherpool-ti-4 253 4 L--w 0",
            "tipool-ti-99999999 253 5 L--w 0",
            "tipool-ti-20 253 6 L--w 0",
            "docker-8:1-1234-pool 253 7 L--w 0"),
        "");
    Files.writeString(
        mountinfo,
        "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
            + "40 22 253:1 / "
            + tmp.resolve("mnt").resolve("ti-1")
            + " rw,nosuid,nodev - ext4 /dev/mapper/tipool-ti-1 rw\n");
    List<PoolVolume> list = pool.list();
    assertThat(list)
        .containsExactly(
            new PoolVolume(1, true, true, "/dev/mapper/tipool-ti-1"),
            new PoolVolume(20, true, false, "/dev/mapper/tipool-ti-20"));
  }

  @Test
  void aMountedVolumeIsNeverRemovedOrDeleted() throws IOException {
    Files.writeString(
        mountinfo,
        "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
            + "40 22 253:1 / /elsewhere rw,nosuid,nodev - ext4 /dev/mapper/tipool-ti-1 rw\n");
    VolumeSpec v = VolumeSpec.of(1, 64L << 20);
    assertThatThrownBy(() -> pool.delete(v))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
              assertThat(e.code()).isEqualTo("volume-mounted");
            });
    assertThatThrownBy(() -> pool.deactivate(v)).isInstanceOf(ThinImageException.class);
    assertThat(runner.calls()).isEmpty();
  }

  @Test
  void deleteOfAVolumeStillOpenIsTransientAndKeepsTheThinId() {
    String busy = "device-mapper: remove ioctl on tipool-ti-1  failed: Device or resource busy";
    runner.fail("dmsetup remove --verifyudev tipool-ti-1", busy);
    runner.on("dmsetup info", 0, "tipool-ti-1 253 1 L--w 1\n", "");
    assertThatThrownBy(() -> pool.delete(VolumeSpec.of(1, 64L << 20)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("volume-busy"));
    assertThat(runner.calls("dmsetup message")).isEmpty();
  }

  @Test
  void activationOfAMissingThinIdIsNotFound() {
    runner.fail(
        "dmsetup create", "device-mapper: reload ioctl on tipool-ti-9  failed: No data available");
    runner.fail("dmsetup info", "Device does not exist.");
    assertThatThrownBy(() -> pool.activate(VolumeSpec.of(9, 64L << 20)))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
              assertThat(e.code()).isEqualTo("volume-not-found");
            });
  }

  @Test
  void anActiveDeviceWithAnotherTableIsAConflict() {
    runner.fail(
        "dmsetup create",
        "device-mapper: create ioctl on tipool-ti-1  failed: Device or resource busy");
    runner.on("dmsetup info", 0, "tipool-ti-1 253 1 L--w 0\n", "");
    runner.on("dmsetup table tipool-ti-1", 0, "0 4096 thin 253:0 1\n", "");
    assertThatThrownBy(() -> pool.activate(VolumeSpec.of(1, 64L << 20)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("volume-table-mismatch"));
    runner.on("dmsetup table tipool-ti-1", 0, "0 131072 thin 253:0 1\n", "");
    assertThat(pool.activate(VolumeSpec.of(1, 64L << 20))).isEqualTo("/dev/mapper/tipool-ti-1");
  }
}
