package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Command lines and errno outcomes of the dmsetup wrapper, on scripted answers. */
class DmsetupTest {
  private final ScriptedRunner runner = new ScriptedRunner();
  private final Dmsetup dm = new Dmsetup(runner, Duration.ofSeconds(5), 3, Duration.ZERO);

  @Test
  void buildsArgumentArraysNotShellLines() {
    dm.createThin("tipool", 7);
    dm.createSnap("tipool", 8, 7);
    dm.create("tipool-ti-8", Dmsetup.thinTable(2097152, "/dev/mapper/tipool", 8));
    assertThat(runner.calls())
        .containsExactly(
            "dmsetup message tipool 0 create_thin 7",
            "dmsetup message tipool 0 create_snap 8 7",
            "dmsetup create --verifyudev tipool-ti-8 --table 0 2097152 thin /dev/mapper/tipool 8");
  }

  @Test
  void existingIdsOfOursAreSuccess() {
    runner.fail(
        "dmsetup message tipool 0 create_thin",
        "device-mapper: message ioctl on tipool  failed: File exists");
    runner.fail(
        "dmsetup message tipool 0 create_snap",
        "device-mapper: message ioctl on tipool  failed: File exists");
    assertThat(dm.createThin("tipool", 7)).isFalse();
    assertThat(dm.createSnap("tipool", 8, 7)).isFalse();
  }

  @Test
  void deleteOfAMissingIdIsSuccess() {
    runner.fail(
        "dmsetup message tipool 0 delete",
        "device-mapper: message ioctl on tipool  failed: No data available");
    assertThat(dm.deleteThin("tipool", 9)).isFalse();
  }

  @Test
  void snapshotOfAMissingOriginIsNotFound() {
    runner.fail(
        "dmsetup message tipool 0 create_snap",
        "device-mapper: message ioctl on tipool  failed: No data available");
    assertThatThrownBy(() -> dm.createSnap("tipool", 8, 7))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
              assertThat(e.code()).isEqualTo("volume-origin-missing");
            });
  }

  @Test
  void removeOfAMissingDeviceIsSuccess() {
    runner.fail("dmsetup remove", "Device tipool-ti-3 not found");
    assertThat(dm.remove("tipool-ti-3")).isEqualTo(Dmsetup.RemoveOutcome.ABSENT);
  }

  @Test
  void busyRemoveIsRetriedBoundedThenDeferredNeverForced() {
    String busy = "device-mapper: remove ioctl on tipool-ti-3  failed: Device or resource busy";
    runner.fail("dmsetup remove --verifyudev tipool-ti-3", busy);
    runner.on("dmsetup remove --deferred", 0, "", "");
    runner.on("dmsetup info", 0, "tipool-ti-3 253 4 L--w 1\n", "");
    assertThat(dm.remove("tipool-ti-3")).isEqualTo(Dmsetup.RemoveOutcome.DEFERRED);
    assertThat(runner.calls("dmsetup remove --verifyudev tipool-ti-3")).hasSize(4);
    assertThat(runner.calls("dmsetup remove --deferred")).hasSize(1);
    assertThat(runner.calls()).noneMatch(c -> c.contains("--force"));
  }

  @Test
  void busyRemoveThatClearsIsRemoved() {
    String busy = "device-mapper: remove ioctl on tipool-ti-3  failed: Device or resource busy";
    runner.fail("dmsetup remove --verifyudev tipool-ti-3", busy);
    runner.on("dmsetup remove --verifyudev tipool-ti-3", 0, "", "");
    assertThat(dm.remove("tipool-ti-3")).isEqualTo(Dmsetup.RemoveOutcome.REMOVED);
    assertThat(runner.calls("dmsetup remove")).hasSize(2);
  }

  @Test
  void busyDeleteIsRetriedThenTransient() {
    runner.fail(
        "dmsetup message tipool 0 delete",
        "device-mapper: message ioctl on tipool  failed: Device or resource busy");
    assertThatThrownBy(() -> dm.deleteThin("tipool", 3))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
              assertThat(e.code()).isEqualTo("dm-busy");
            });
    assertThat(runner.calls()).hasSize(4);
  }

  @Test
  void failuresMapToKindsByErrno() {
    runner.fail(
        "dmsetup message tipool 0 create_thin",
        "device-mapper: message ioctl on tipool  failed: No space left on device");
    assertThatThrownBy(() -> dm.createThin("tipool", 1))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("pool-no-space"));
    runner.fail("dmsetup suspend", "/dev/mapper/control: open failed: Permission denied");
    assertThatThrownBy(() -> dm.suspend("x"))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.UNSAFE);
              assertThat(e.code()).isEqualTo("dm-permission-denied");
            });
  }

  @Test
  void createOfAnExistingLiveDeviceIsReportedNotFailed() {
    runner.fail(
        "dmsetup create",
        "device-mapper: create ioctl on tipool-ti-1  failed: Device or resource busy");
    runner.on("dmsetup info", 0, "tipool-ti-1 253 2 L--w 0\n", "");
    assertThat(dm.create("tipool-ti-1", "0 8 thin /dev/mapper/tipool 1")).isFalse();
  }

  @Test
  void infoAndInfoAll() {
    runner.fail(
        "dmsetup info -c --noheadings -o name,major,minor,attr,open --separator   gone",
        "Device does not exist.");
    assertThat(dm.info("gone")).isEmpty();
    runner.on(
        "dmsetup info -c --noheadings -o name,major,minor,attr,open --separator  ",
        0,
        "tipool 253 0 L--w 2\ntipool-ti-1 253 1 Ls-w 0\n",
        "");
    assertThat(dm.infoAll())
        .containsExactly(
            new DeviceInfo("tipool", 253, 0, 2, true, false),
            new DeviceInfo("tipool-ti-1", 253, 1, 0, true, true));
  }

  @Test
  void noDevicesFound() {
    runner.on("dmsetup info", 0, "No devices found\n", "");
    assertThat(dm.infoAll()).isEmpty();
    runner.on("dmsetup status", 0, "No devices found\n", "");
    assertThat(dm.statusAll()).isEmpty();
  }

  @Test
  void statusAllByName() {
    runner.on(
        "dmsetup status",
        0,
        "tipool: 0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown queue_if_no_space - 256\n"
            + "tipool-ti-1: 0 2097152 thin 0 -\n",
        "");
    assertThat(dm.statusAll()).containsOnlyKeys("tipool", "tipool-ti-1");
    assertThat(dm.statusAll().get("tipool-ti-1")).isEqualTo("0 2097152 thin 0 -");
  }
}
