package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code list()} with thin_ls on scripted answers: every thin id in the pool's metadata is listed,
 * inactive ones too; an id that a device of another name exposes from this pool is listed as in use
 * (mounted, whatever the state of our own device), so gc never tries to delete it and never calls
 * its record orphaned. The real kernel is covered by {@code GarbageCollectorVmIT}.
 */
class InactiveVolumeListingTest {
  @TempDir Path tmp;
  private final ScriptedRunner runner = new ScriptedRunner();

  @Test
  void listsInactiveThinIdsAndOnesADeviceOfAnotherNameExposesAsInUse() throws IOException {
    Path mountinfo = tmp.resolve("mountinfo");
    Files.writeString(mountinfo, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
    DevicemapperPool pool =
        new DevicemapperPool(
            DevicemapperConfig.defaults("tipool", tmp.resolve("mnt"))
                .withBusyRetries(0, Duration.ZERO),
            runner,
            mountinfo);
    runner.on(
        "dmsetup info",
        0,
        String.join(
            "\n",
            "tipool 253 0 L--w 3",
            "tipool-ti-1 253 1 L--w 0",
            "tipool-scratch 253 2 L--w 1",
            "tipool-peek1 253 5 L--w 0",
            "otherpool 253 3 L--w 1",
            "otherpool-x 253 4 L--w 0"),
        "");
    runner.on("dmsetup table tipool", 0, "0 4194304 thin-pool /dev/loop9 /dev/loop8 128 0 0\n", "");
    runner.on("thin_ls --metadata-snap -o DEV --no-headers /dev/loop9", 0, "1\n14\n20\n21\n", "");
    runner.on(
        "dmsetup table --target thin",
        0,
        String.join(
            "\n",
            "tipool-ti-1: 0 2097152 thin 253:0 1",
            "tipool-peek1: 0 2097152 thin 253:0 1",
            // an operator's look at thin 14 of our pool: a device we did not name
            "tipool-scratch: 0 2097152 thin 253:0 14",
            // thin 20 of another pool: says nothing about ours
            "otherpool-x: 0 2097152 thin 253:3 20",
            ""),
        "");

    assertThat(pool.list())
        .containsExactly(
            new PoolVolume(1, true, true, "/dev/mapper/tipool-ti-1"),
            new PoolVolume(14, false, true, null),
            new PoolVolume(20, false, false, null),
            new PoolVolume(21, false, false, null));
  }

  @Test
  void aPoolDeviceNamedByPathIsRecognisedToo() throws IOException {
    Path mountinfo = tmp.resolve("mountinfo");
    Files.writeString(mountinfo, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
    DevicemapperPool pool =
        new DevicemapperPool(
            DevicemapperConfig.defaults("tipool", tmp.resolve("mnt")), runner, mountinfo);
    runner.on("dmsetup info", 0, "tipool 253 0 L--w 1\n", "");
    runner.on("dmsetup table tipool", 0, "0 4194304 thin-pool /dev/loop9 /dev/loop8 128 0 0\n", "");
    runner.on("thin_ls --metadata-snap -o DEV --no-headers /dev/loop9", 0, "7\n8\n", "");
    runner.on(
        "dmsetup table --target thin", 0, "debug7: 0 2097152 thin /dev/mapper/tipool 7\n", "");

    assertThat(pool.list())
        .containsExactly(
            new PoolVolume(7, false, true, null), new PoolVolume(8, false, false, null));
  }
}
