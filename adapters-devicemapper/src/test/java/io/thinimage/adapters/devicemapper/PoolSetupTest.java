package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pool bring-up decisions on scripted losetup/dmsetup answers and real backing files. */
class PoolSetupTest {
  @TempDir Path tmp;
  private final ScriptedRunner runner = new ScriptedRunner();
  private final PoolSetup setup = new PoolSetup(runner, Duration.ofSeconds(5));

  private PoolSetupOptions options() {
    return new PoolSetupOptions(
        "tipool", tmp.resolve("data"), tmp.resolve("meta"), 1L << 30, 8L << 20, 256, 1024, true);
  }

  @Test
  void firstRunCreatesSparseFilesLoopsAndThePool() throws IOException {
    runner.on("losetup -j", 0, "", "");
    runner.on("losetup -f --show " + tmp.resolve("meta"), 0, "/dev/loop3\n", "");
    runner.on("losetup -f --show " + tmp.resolve("data"), 0, "/dev/loop4\n", "");
    runner.on("blockdev --getsz /dev/loop4", 0, "2097152\n", "");
    runner.fail("dmsetup info", "Device does not exist.");
    PoolSetup.Report r = setup.ensure(options());
    assertThat(r.action()).isEqualTo(PoolSetup.Action.CREATED);
    assertThat(r.filesCreated()).isTrue();
    assertThat(Files.size(tmp.resolve("data"))).isEqualTo(1L << 30);
    assertThat(Files.size(tmp.resolve("meta"))).isEqualTo(8L << 20);
    assertThat(runner.calls("dmsetup create"))
        .containsExactly(
            "dmsetup create --verifyudev tipool --table 0 2097152 thin-pool /dev/loop3 /dev/loop4"
                + " 256 1024 1 error_if_no_space");
  }

  @Test
  void afterARebootExistingFilesAndBoundLoopsAreReusedNeverTruncated() throws IOException {
    Files.write(tmp.resolve("data"), new byte[128 * 1024 * 3 + 100]);
    Files.write(tmp.resolve("meta"), new byte[4096]);
    runner.on(
        "losetup -j " + tmp.resolve("meta"),
        0,
        "/dev/loop7: [2049]:12 (" + tmp.resolve("meta") + ")\n",
        "");
    runner.on("losetup -j " + tmp.resolve("data"), 0, "", "");
    runner.on("losetup -f --show " + tmp.resolve("data"), 0, "/dev/loop8\n", "");
    runner.on("blockdev --getsz /dev/loop8", 0, "768\n", "");
    runner.fail("dmsetup info", "Device does not exist.");
    PoolSetup.Report r = setup.ensure(options());
    assertThat(r.filesCreated()).isFalse();
    assertThat(Files.size(tmp.resolve("data"))).isEqualTo(128 * 1024 * 3 + 100);
    assertThat(r.metadataLoop()).isEqualTo("/dev/loop7");
    assertThat(r.dataSectors()).isEqualTo(768);
    assertThat(runner.calls("losetup -f")).hasSize(1);
  }

  @Test
  void aDeviceWithoutALiveTableIsReloadedAndResumed() {
    runner.on("losetup -j", 0, "", "");
    runner.on("losetup -f --show", 0, "/dev/loop1\n", "");
    runner.on("blockdev --getsz", 0, "2097152\n", "");
    runner.on("dmsetup info", 0, "tipool 253 0 ---w 0\n", "");
    assertThat(setup.ensure(options()).action()).isEqualTo(PoolSetup.Action.RELOADED);
    assertThat(runner.calls("dmsetup reload tipool")).hasSize(1);
    assertThat(runner.calls("dmsetup resume tipool")).hasSize(1);
    assertThat(runner.calls("dmsetup create")).isEmpty();
  }

  @Test
  void anActivePoolOnOurLoopsIsLeftAlone() {
    runner.on("losetup -j " + tmp.resolve("meta"), 0, "/dev/loop1: [1]:2 (x)\n", "");
    runner.on("losetup -j " + tmp.resolve("data"), 0, "/dev/loop2: [1]:3 (y)\n", "");
    runner.on("blockdev --getsz", 0, "2097152\n", "");
    runner.on("dmsetup info", 0, "tipool 253 0 L--w 0\n", "");
    runner.on(
        "dmsetup table tipool",
        0,
        "0 2097152 thin-pool 7:1 7:2 256 1024 1 error_if_no_space\n",
        "");
    runner.on("stat -L -c %t:%T /dev/loop1", 0, "7:1\n", "");
    runner.on("stat -L -c %t:%T /dev/loop2", 0, "7:2\n", "");
    // first run creates the files; this test is about the pool being active already
    assertThat(setup.ensure(options()).action()).isEqualTo(PoolSetup.Action.ALREADY_ACTIVE);
    assertThat(runner.calls("dmsetup create")).isEmpty();
    assertThat(runner.calls("dmsetup reload")).isEmpty();
  }

  @Test
  void anActivePoolOnOtherDevicesIsRefused() {
    runner.on("losetup -j", 0, "", "");
    runner.on("losetup -f --show", 0, "/dev/loop1\n", "");
    runner.on("blockdev --getsz", 0, "2097152\n", "");
    runner.on("dmsetup info", 0, "tipool 253 0 L--w 0\n", "");
    runner.on("dmsetup table tipool", 0, "0 2097152 thin-pool 8:1 8:2 256 1024 0\n", "");
    runner.on("stat", 0, "7:1\n", "");
    assertThatThrownBy(() -> setup.ensure(options()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("pool-table-mismatch"));
  }

  @Test
  void onlyOneBackingFileIsRefusedAndNothingIsCreated() throws IOException {
    Files.write(tmp.resolve("data"), new byte[10]);
    assertThatThrownBy(() -> setup.ensure(options()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> assertThat(e.code()).isEqualTo("pool-backing-file-missing"));
    assertThat(tmp.resolve("meta")).doesNotExist();
    assertThat(runner.calls()).isEmpty();
  }

  @Test
  void optionsUseKernelUnits() {
    assertThatThrownBy(
            () ->
                new PoolSetupOptions(
                    "p", tmp.resolve("d"), tmp.resolve("m"), 1L << 30, 8L << 20, 100, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new PoolSetupOptions(
                    "p", tmp.resolve("d"), tmp.resolve("m"), 1L << 30, 1L << 20, 128, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
    // 48 * (1 GiB / 128 KiB) = 393216 bytes, so the 2 MiB floor applies
    assertThat(PoolSetupOptions.recommendedMetadataBytes(1L << 30, 256)).isEqualTo(2L << 20);
    assertThat(PoolSetupOptions.recommendedMetadataBytes(1L << 40, 128)).isEqualTo(48L << 24);
  }
}
