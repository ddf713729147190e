package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AttributesTest {

  @Test
  void encodesAFlatJsonObjectInKeyOrder() {
    assertThat(Attributes.encode(Map.of())).isEqualTo("{}");
    assertThat(Attributes.encode(Map.of("b", "2", "a", "say \"hi\"\n")))
        .isEqualTo("{\"a\":\"say \\\"hi\\\"\\n\",\"b\":\"2\"}");
    assertThat(Attributes.encode(Map.of("c", "\u0001\\"))).isEqualTo("{\"c\":\"\\u0001\\\\\"}");
  }

  @Test
  void roundTripsAnyText() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      Map<String, String> m = new TreeMap<>();
      for (int i = 0; i < random.nextInt(5); i++) {
        m.put(randomText(random), randomText(random));
      }
      assertThat(Attributes.decode(Attributes.encode(m))).isEqualTo(m);
    }
  }

  private static String randomText(Random random) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(4)) {
        case 0 -> s.append((char) random.nextInt(0x20));
        case 1 -> s.append("\"\\/{}:,".charAt(random.nextInt(7)));
        case 2 -> s.append("é🙂").append('x');
        default -> s.append((char) ('a' + random.nextInt(26)));
      }
    }
    return s.toString();
  }

  @Test
  void decodesStandardEscapesAndRefusesBrokenText() {
    assertThat(Attributes.decode("{\"k\":\"a\\/b\\u00e9\\t\"}")).containsEntry("k", "a/bé\t");
    assertThatThrownBy(() -> Attributes.decode("{\"k\":1}"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Attributes.decode("{\"k\":\"v\"} extra"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Attributes.decode("{\"k\":\"v"))
        .isInstanceOf(IllegalStateException.class);
  }
}
