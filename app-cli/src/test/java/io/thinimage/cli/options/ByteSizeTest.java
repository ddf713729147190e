package io.thinimage.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeTest {
  @Test
  void parsesPlainAndBinarySuffixedSizes() {
    assertThat(ByteSize.parse("4096")).isEqualTo(4096);
    assertThat(ByteSize.parse("512K")).isEqualTo(512L << 10);
    assertThat(ByteSize.parse("4m")).isEqualTo(4L << 20);
    assertThat(ByteSize.parse("2G")).isEqualTo(2L << 30);
    assertThat(ByteSize.parse("2GiB")).isEqualTo(2L << 30);
    assertThat(ByteSize.parse("1T")).isEqualTo(1L << 40);
  }

  @Test
  void rejectsGarbageAndOverflow() {
    assertThatThrownBy(() -> ByteSize.parse("lots")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> ByteSize.parse("-1")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> ByteSize.parse("99999999999T"))
        .isInstanceOf(TypeConversionException.class);
  }
}
