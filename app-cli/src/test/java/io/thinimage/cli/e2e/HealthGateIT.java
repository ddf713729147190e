package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import io.thinimage.cli.support.Samples;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The health gate through the real binary: a threshold no host can meet (100 % of memory available)
 * makes the host unsafe, so process-image waits, then exits 5 with a one-line message naming the
 * check and its value, and leaves the run resumable; with the gate back at its default the same
 * command finishes the same run.
 */
class HealthGateIT {
  @TempDir Path tmp;
  Path store;
  Path data;

  @BeforeEach
  void store() throws Exception {
    store = tmp.resolve("store");
    Samples.copyTo(store);
    data = tmp.resolve("data");
  }

  Result cli(String... args) throws Exception {
    return CliProcess.onDirectoryPool(data, store, Map.of(), args);
  }

  @Test
  void anUnsafeHostExits5AndTheRunFinishesOnceItIsSafe() throws Exception {
    Result blocked =
        cli(
            "process-image",
            "--s3-key",
            "images/minimal/",
            "--health-thresholds",
            "mem-available-unsafe=100",
            "--unsafe-wait",
            "2s");
    assertThat(blocked.code()).as(blocked.toString()).isEqualTo(5);
    assertThat(blocked.err().strip().lines()).as(blocked.toString()).hasSize(1);
    assertThat(blocked.err())
        .contains("memory.available")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");

    // Nothing was created in the pool; the run is recorded and waits, it did not fail.
    JsonNode status = CliEndToEndIT.json(cli("status", "-o", "json"));
    assertThat(status.path("activeRuns").toString())
        .contains("unsafe-system")
        .contains("memory.available");
    JsonNode images = CliEndToEndIT.json(cli("list-images", "-o", "json"));
    assertThat(images.path("images").get(0).path("state").asString()).isNotEqualTo("failed");
    JsonNode snaps = CliEndToEndIT.json(cli("list-snapshots", "-o", "json"));
    assertThat(snaps.path("count").asInt()).isZero();

    Result resumed = cli("process-image", "--s3-key", "images/minimal/", "-o", "json");
    JsonNode done = CliEndToEndIT.json(resumed);
    assertThat(done.path("activation").path("state").asString()).isEqualTo("active");
    assertThat(CliEndToEndIT.json(cli("gc", "-o", "json")).path("findings")).isEmpty();
  }

  @Test
  void anUnknownThresholdNameIsAUsageErrorNamingTheKnownOnes() throws Exception {
    Result bad =
        cli("process-image", "--s3-key", "images/minimal/", "--health-thresholds", "nope=1");
    assertThat(bad.code()).as(bad.toString()).isEqualTo(4);
    assertThat(bad.err()).contains("memory-psi-unsafe");
  }
}
