package io.thinimage.core.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ThinImageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RootPathTest {

  @ParameterizedTest
  @CsvSource({
    "etc/passwd, /etc/passwd",
    "./etc/passwd, /etc/passwd",
    "/etc//passwd, /etc/passwd",
    "//./etc/./, /etc",
    "a..b, /a..b",
    "..a/b.., /..a/b..",
    "./, /",
    "., /",
    "/, /"
  })
  void cleansNames(String raw, String cleaned) {
    assertThat(RootPath.clean(raw, "test").toString()).isEqualTo(cleaned);
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../x", "a/../b", "a/..", "/..", "./../etc", "a/b/../../.."})
  void refusesDotDotComponents(String raw) {
    assertCode("layer-path-escape", raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\0b", "\0", "etc/\0/x"})
  void refusesNul(String raw) {
    assertCode("layer-path-nul", raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {""})
  void refusesEmpty(String raw) {
    assertCode("layer-path-empty", raw);
  }

  @ParameterizedTest
  @ValueSource(ints = {256, 1000})
  void refusesOverlongNames(int n) {
    assertCode("layer-name-too-long", "d/" + "x".repeat(n));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 255})
  void acceptsNamesUpToNameMax(int n) {
    assertThat(RootPath.clean("d/" + "x".repeat(n), "t").depth()).isEqualTo(2);
  }

  private static void assertCode(String code, String raw) {
    assertThatThrownBy(() -> RootPath.clean(raw, "test"))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
