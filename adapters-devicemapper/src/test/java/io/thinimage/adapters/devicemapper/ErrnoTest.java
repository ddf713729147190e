package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Error texts as dmsetup, mount and umount print them, classified to errno. */
class ErrnoTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "device-mapper: message ioctl on pool  failed: File exists|EEXIST",
        "device-mapper: message ioctl on pool  failed: No data available|ENODATA",
        "device-mapper: remove ioctl on tipool-ti-1  failed: Device or resource busy|EBUSY",
        "device-mapper: create ioctl on tipool-ti-1  failed: Device or resource busy|EBUSY",
        "device-mapper: reload ioctl on tipool-ti-9  failed: No data available|ENODATA",
        "device-mapper: remove ioctl on x  failed: No such device or address|ENXIO",
        "device-mapper: message ioctl on pool  failed: No space left on device|ENOSPC",
        "device-mapper: resume ioctl on pool  failed: Invalid argument|EINVAL",
        "device-mapper: message ioctl on pool  failed: Operation not permitted|EPERM",
        "device-mapper: message ioctl on pool  failed: Input/output error|EIO",
        "device-mapper: table ioctl on x  failed: No such device|ENODEV",
        "/dev/mapper/control: open failed: Permission denied|EACCES",
        "Device tipool-ti-3 not found|ENXIO",
        "Device does not exist.|ENXIO",
        "umount: /mnt/ti-1: target is busy.|EBUSY",
        "losetup: /tmp/x: failed to set up loop device: No such file or directory|ENOENT",
        "mount: /mnt/x: cannot mount /dev/mapper/x read-only.|UNKNOWN",
        "Command failed.|UNKNOWN",
      })
  void classifies(String text, Errno expected) {
    assertThat(Errno.classify(text + "\nCommand failed.\n")).isEqualTo(expected);
  }

  @Test
  void lowerCaseAndNoiseLinesDoNotMatter() {
    String out =
        "Udev cookie 0xd4d0a8f (semid 3) created\n"
            + "DEVICE-MAPPER: MESSAGE IOCTL ON POOL FAILED: FILE EXISTS\n";
    assertThat(Errno.classify(out)).isEqualTo(Errno.EEXIST);
    assertThat(Errno.classify("")).isEqualTo(Errno.UNKNOWN);
  }
}
