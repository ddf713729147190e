package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ThinImageException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mountinfo lines as the kernel writes them, escapes and optional fields included. */
class MountInfoTest {
  private static final String TABLE =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
          + "36 22 253:3 / /var/lib/ti/mnt/ti-12 rw,nosuid,nodev,relatime shared:7 master:2 - ext4"
          + " /dev/mapper/tipool-ti-12 rw\n"
          + "37 22 253:4 / /mnt/with\\040space\\011tab\\134slash rw,relatime - ext4"
          + " /dev/mapper/a\\040b rw,errors=remount-ro\n"
          + "38 22 0:50 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n";

  @Test
  void parsesFieldsAcrossOptionalFields() {
    List<MountInfo.Entry> t = MountInfo.parse(TABLE);
    assertThat(t).hasSize(4);
    MountInfo.Entry e = t.get(1);
    assertThat(e.mountId()).isEqualTo(36);
    assertThat(e.mountPoint()).isEqualTo("/var/lib/ti/mnt/ti-12");
    assertThat(e.options()).isEqualTo("rw,nosuid,nodev,relatime");
    assertThat(e.fsType()).isEqualTo("ext4");
    assertThat(e.source()).isEqualTo("/dev/mapper/tipool-ti-12");
  }

  @Test
  void undoesOctalEscapes() {
    MountInfo.Entry e = MountInfo.parse(TABLE).get(2);
    assertThat(e.mountPoint()).isEqualTo("/mnt/with space\ttab\\slash");
    assertThat(e.source()).isEqualTo("/dev/mapper/a b");
    assertThat(MountInfo.unescape("no\\escape\\09")).isEqualTo("no\\escape\\09");
  }

  @Test
  void matchesMountPointsExactlyNotByPrefix() {
    List<MountInfo.Entry> t = MountInfo.parse(TABLE);
    assertThat(MountInfo.at(t, Path.of("/var/lib/ti/mnt/ti-12"))).isPresent();
    assertThat(MountInfo.at(t, Path.of("/var/lib/ti/mnt/ti-1"))).isEmpty();
    assertThat(MountInfo.at(t, Path.of("/var/lib/ti/mnt/ti-123"))).isEmpty();
    assertThat(MountInfo.at(t, Path.of("/var/lib/ti/mnt/./ti-12"))).isPresent();
    assertThat(MountInfo.at(t, Path.of("/mnt/with space\ttab\\slash"))).isPresent();
  }

  @Test
  void theTopmostOfStackedMountsWins() {
    String stacked = TABLE + "40 36 0:60 / /var/lib/ti/mnt/ti-12 rw,relatime - tmpfs tmpfs rw\n";
    assertThat(MountInfo.at(MountInfo.parse(stacked), Path.of("/var/lib/ti/mnt/ti-12")))
        .get()
        .extracting(MountInfo.Entry::fsType)
        .isEqualTo("tmpfs");
  }

  @Test
  void readsTheRealTableOfThisProcess() {
    assertThat(MountInfo.at(MountInfo.read(MountInfo.SELF), Path.of("/"))).isPresent();
  }

  @Test
  void rejectsMalformedLines() {
    assertThatThrownBy(() -> MountInfo.parse("1 2 3\n")).isInstanceOf(ThinImageException.class);
  }
}
