package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import io.thinimage.cli.support.ChildJvm;
import io.thinimage.cli.support.Samples;
import io.thinimage.daemon.client.DaemonClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The CLI with a daemon running over the same data dir: the daemon holds the data-dir lock, so
 * every command here runs with {@code --no-wait} and would exit 6 if it tried to open the data dir
 * itself. Each one succeeding proves it went through the socket.
 */
class CliThroughDaemonIT {
  @TempDir Path tmp;
  Path store;
  Path data;
  Process daemon;

  @BeforeEach
  void startDaemon() throws Exception {
    store = tmp.resolve("store");
    Samples.copyTo(store);
    CliEndToEndIT.hostileLayer(store.resolve("images/evil/1.tar"));
    data = tmp.resolve("data");
    List<String> cmd = ChildJvm.java();
    cmd.addAll(List.of("-jar", CliProcess.jar().toString(), "daemon", "--metrics-port", "0"));
    cmd.addAll(common());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("THINIMAGE_"));
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile());
    daemon = pb.start();
    Path socket = data.resolve("thinimage.sock");
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!DaemonClient.isLive(socket)) {
      assertThat(daemon.isAlive()).as(log()).isTrue();
      assertThat(Instant.now()).as("daemon did not start: " + log()).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroy(); // SIGTERM: drains, parks, exits 0
      if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
  }

  private String log() {
    try {
      return Files.readString(tmp.resolve("daemon.log"));
    } catch (IOException e) {
      return "(no daemon log: " + e + ")";
    }
  }

  private List<String> common() {
    return List.of(
        "--data-dir", data.toString(),
        "--store", store.toUri().toString(),
        "--pool-driver", "directory");
  }

  Result cli(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(common());
    all.add("--no-wait");
    return CliProcess.run(Map.of(), all);
  }

  @Test
  void commandsGoThroughTheDaemonThatHoldsTheDataDir() throws Exception {
    Result first = cli("process-image", "--s3-key", "images/web/", "-o", "json");
    JsonNode processed = CliEndToEndIT.json(first);
    assertThat(processed.path("alreadyDone").asBoolean()).isFalse();
    assertThat(processed.path("image").path("layers").size()).isEqualTo(3);
    String snapshot = processed.path("activation").path("id").asString();
    String devicePath = processed.path("activation").path("devicePath").asString();
    assertThat(Path.of(devicePath)).isDirectory();

    Result again = cli("process-image", "--s3-key", "images/web/");
    assertThat(again.code()).as(again.toString()).isZero();
    assertThat(again.out()).contains("already processed").contains(snapshot);

    JsonNode images = CliEndToEndIT.json(cli("list-images", "-o", "json"));
    assertThat(images.path("count").asInt()).isEqualTo(1);
    JsonNode snaps = CliEndToEndIT.json(cli("list-snapshots", "-o", "json"));
    assertThat(snaps.path("snapshots").get(0).path("devicePath").asString()).isEqualTo(devicePath);
    Result status = cli("status");
    assertThat(status.code()).as(status.toString()).isZero();
    assertThat(status.out()).contains("thinimage.db");
    Result gc = cli("gc", "-o", "json");
    assertThat(CliEndToEndIT.json(gc).path("findings").size()).as(gc.toString()).isZero();

    // Errors keep their kind across the socket: a missing key is 3, a hostile layer 4.
    assertThat(cli("process-image", "--s3-key", "images/nope/").code()).isEqualTo(3);
    Result hostile = cli("process-image", "--s3-key", "images/evil/");
    assertThat(hostile.code()).as(hostile.toString()).isEqualTo(4);
    assertThat(hostile.err()).doesNotContain("Exception").doesNotContain("\tat ");

    // Another store than the daemon's is refused (7), not processed in the daemon's store.
    List<String> other = new ArrayList<>(List.of("process-image", "--s3-key", "images/web/"));
    other.addAll(
        List.of(
            "--data-dir",
            data.toString(),
            "--store",
            tmp.resolve("elsewhere").toUri().toString(),
            "--pool-driver",
            "directory",
            "--no-wait"));
    Result mismatch = CliProcess.run(Map.of(), other);
    assertThat(mismatch.code()).as(mismatch.toString()).isEqualTo(7);
    assertThat(mismatch.err()).contains("serves");

    // After the daemon stops, the CLI opens the data dir itself and sees the same state.
    daemon.destroy();
    assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.exitValue()).as(log()).isZero();
    Result local = cli("list-snapshots", "-o", "json");
    assertThat(CliEndToEndIT.json(local).path("snapshots").get(0).path("id").asString())
        .isEqualTo(snapshot);
  }
}
