package io.thinimage.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class RetentionAgeTest {
  @Test
  void parsesShortFormsIsoAndOff() {
    assertThat(RetentionAge.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(RetentionAge.parse("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(RetentionAge.parse("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(RetentionAge.parse("P30D")).isEqualTo(Duration.ofDays(30));
    assertThat(RetentionAge.parse("pt1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(RetentionAge.parse(" 7D ")).isEqualTo(Duration.ofDays(7));
    // the syntax every duration option shares
    assertThat(RetentionAge.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(RetentionAge.parse("off")).isNull();
    assertThat(RetentionAge.parse("OFF")).isNull();
  }

  @Test
  void rejectsZeroNegativeGarbageAndAbsurdlyLong() {
    for (String bad :
        new String[] {
          "0d",
          "0",
          "P0D",
          "PT0S",
          "-1d",
          "P-1D",
          "PT-5H",
          "30",
          "30 d",
          "",
          "d",
          "soon",
          "P",
          "1w",
          "36501d",
          "999999999d"
        }) {
      assertThatThrownBy(() -> RetentionAge.parse(bad))
          .as(bad)
          .isInstanceOf(TypeConversionException.class);
    }
    assertThat(RetentionAge.parse("36500d")).isEqualTo(RetentionAge.MAX);
  }

  @Test
  void formatsAsTheShortestFormItReadsBack() {
    assertThat(RetentionAge.format(Duration.ofDays(30))).isEqualTo("30d");
    assertThat(RetentionAge.format(Duration.ofHours(36))).isEqualTo("36h");
    assertThat(RetentionAge.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(RetentionAge.format(Duration.ofSeconds(61))).isEqualTo("PT1M1S");
    for (String s : new String[] {"30d", "36h", "90m", "PT1M1S"}) {
      assertThat(RetentionAge.format(RetentionAge.parse(s))).isEqualTo(s);
    }
  }
}
