package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The layer fuzzer ({@link LayerApplierFuzz}'s property) for a fixed window in every build, in a
 * JVM of its own with a 128 MiB heap (the surefire execution {@code fuzz-window} of this module),
 * so an input that makes the applier buffer a huge header shows up as an OutOfMemoryError, not as a
 * slow success. Window: {@code -Dthinimage.fuzz.seconds=N} (default 30); seed: {@code
 * -Dthinimage.fuzz.seed=S} (default random, printed so a finding can be replayed).
 */
class LayerFuzzWindowTest {
  @Test
  void fuzzForAFixedWindow() throws Exception {
    long seconds = Long.getLong("thinimage.fuzz.seconds", 30);
    long seed = Long.getLong("thinimage.fuzz.seed", new Random().nextLong());
    System.out.println("layer fuzz window: " + seconds + " s, seed " + seed);
    Random r = new Random(seed);
    Instant end = Instant.now().plus(Duration.ofSeconds(seconds));
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> findings = new ArrayList<>();
    int n = 0;
    while (Instant.now().isBefore(end) && findings.isEmpty()) {
      long inputSeed = r.nextLong();
      FuzzInputs.Input input = FuzzInputs.generate(new Random(inputSeed));
      try {
        outcomes.merge(input.kind() + " " + LayerApplierFuzz.check(input), 1, Integer::sum);
      } catch (AssertionError e) {
        findings.add("input seed " + inputSeed + " (" + input + "): " + e.getMessage());
      }
      n++;
    }
    System.out.println("layer fuzz window: " + n + " inputs, outcomes " + outcomes);
    assertThat(findings).as("findings after %d inputs", n).isEmpty();
    assertThat(n).isPositive();
  }
}
