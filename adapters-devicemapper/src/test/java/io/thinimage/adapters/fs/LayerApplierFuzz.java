package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzz target for layer application, for long runs: {@code mvn -Pfuzz -pl adapters-devicemapper
 * test} (tries: {@code -Dfuzz.tries=N}). Inputs come from {@link FuzzInputs}: random bytes,
 * mutations of valid layers (header fields, type flags and sizes of header records included), and
 * lazily expanded header records far larger than the heap. Every input must either apply or fail
 * with a typed INVALID_INPUT (or UNSAFE) error, on the real filesystem and in memory — a runtime
 * exception, another error kind or any {@link Error} is a finding — and the sentinel next to the
 * real root must never change. {@link LayerFuzzWindowTest} runs the same property for a fixed time
 * in every build.
 */
class LayerApplierFuzz {
  @Property
  void anyBytesApplyOrFailTyped(@ForAll("inputs") FuzzInputs.Input input) throws IOException {
    String nio = check(input);
    Statistics.collect(input.kind() + " " + nio);
  }

  /** Applies {@code input} on a temp dir and in memory; returns the outcome on the temp dir. */
  static String check(FuzzInputs.Input input) throws IOException {
    Path tmp = Files.createTempDirectory("layer-fuzz");
    try {
      Path root = Files.createDirectory(tmp.resolve("root"));
      Files.createDirectories(tmp.resolve("outside/etc"));
      Files.writeString(tmp.resolve("outside/etc/passwd"), "sentinel", StandardCharsets.UTF_8);
      Map<String, String> before = NioTrees.snapshot(tmp.resolve("outside"));
      String nio = FuzzInputs.outcome(input, new NioRootFilesystem(root));
      String mem = FuzzInputs.outcome(input, new InMemoryRootFilesystem());
      assertThat(nio).as("%s on disk", input).doesNotStartWith("UNEXPECTED");
      assertThat(mem).as("%s in memory", input).doesNotStartWith("UNEXPECTED");
      assertThat(NioTrees.snapshot(tmp.resolve("outside"))).isEqualTo(before);
      return nio;
    } finally {
      LayerSeamEquivalenceTest.deleteTree(tmp);
    }
  }

  @Provide
  Arbitrary<FuzzInputs.Input> inputs() {
    return Arbitraries.longs().map(seed -> FuzzInputs.generate(new Random(seed)));
  }
}
