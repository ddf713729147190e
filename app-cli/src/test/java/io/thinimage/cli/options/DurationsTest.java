package io.thinimage.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void everyUnitAndIso() {
    assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
    assertThat(Durations.parse("2M")).contains(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).contains(Duration.ofHours(1));
    assertThat(Durations.parse(" 30d ")).contains(Duration.ofDays(30));
    assertThat(Durations.parse("pt1h30m")).contains(Duration.ofMinutes(90));
    assertThat(Durations.parse("P2D")).contains(Duration.ofDays(2));
  }

  @Test
  void notADurationIsEmpty() {
    for (String bad :
        new String[] {"", "s", "30", "30 s", "1w", "soon", "P", "ms", "99999999999999999d"}) {
      assertThat(Durations.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void anOptionsBadDurationNamesTheOption() {
    assertThatThrownBy(() -> CliConfig.duration("--unsafe-wait", "soon"))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
              assertThat(e.getMessage()).contains("--unsafe-wait", "'soon'");
            });
  }
}
