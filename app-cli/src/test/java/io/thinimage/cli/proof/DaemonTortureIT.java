package io.thinimage.cli.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.support.ChildJvm;
import io.thinimage.cli.support.LoopbackS3;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.daemon.client.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Crash torture of the daemon (the real jar's {@code thinimage daemon}) over a real S3 server on
 * loopback: submits the three sample families through the socket, then kills the daemon, half the
 * time with SIGKILL after a random delay and half at a named engine point ({@code
 * THINIMAGE_CRASH_AT}, exit 137). Every few kills a clean daemon resumes everything, the families
 * are submitted again, and after a SIGTERM (exit 0) the data dir must satisfy every invariant.
 */
class DaemonTortureIT {
  private static final String BUCKET = "torture";
  private static final List<String> FAMILIES = List.of("web", "worker", "minimal");
  private static final int KILLS = Integer.getInteger("thinimage.torture.daemonKills", 8);
  private static final int KILLS_PER_CHECK = 4;

  static LoopbackS3 s3;

  @TempDir Path tmp;

  @BeforeAll
  static void server() throws Exception {
    s3 = LoopbackS3.start(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "s3t-"), 0);
    s3.uploadSamples(BUCKET);
  }

  @AfterAll
  static void stop() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void killedDaemonsAlwaysConverge() throws Exception {
    Random random = new Random(7);
    List<String> log = new ArrayList<>();
    int kills = 0;
    int named = 0;
    int dataDirs = 0;
    Path data = tmp.resolve("data-0");
    while (kills < KILLS) {
      if (kills > 0 && kills % (KILLS_PER_CHECK * 2) == 0) {
        data = tmp.resolve("data-" + ++dataDirs); // crash cold pulls again, not only resumes
      }
      for (int k = 0; k < KILLS_PER_CHECK && kills < KILLS; k++) {
        boolean atPoint = random.nextBoolean();
        String point =
            CrashTortureIT.COLD_POINTS.get(random.nextInt(CrashTortureIT.COLD_POINTS.size()));
        Daemon d = Daemon.start(data, atPoint ? point + "#1" : null, tmp.resolve("logs"));
        submitAll(d);
        int code;
        if (atPoint) {
          code = d.awaitExit(Duration.ofSeconds(30));
          if (code == 137) {
            named++;
          }
        } else {
          Thread.sleep(200 + random.nextInt(2500));
          d.process.destroyForcibly();
          code = d.awaitExit(Duration.ofSeconds(30));
        }
        kills++;
        log.add((atPoint ? point : "SIGKILL") + " -> " + code);
      }
      converge(data, log);
    }
    System.out.printf(
        "daemon torture: %d kills (%d at named points, the rest SIGKILL), %d data dirs%n%s%n",
        kills, named, dataDirs + 1, String.join("\n", log));
    assertThat(kills).isEqualTo(KILLS);
    // Most named points are reached; a point already passed in a warm data dir is SIGKILLed.
    assertThat(named).as(log.toString()).isGreaterThan(0);
  }

  /** A clean daemon resumes what the kills left, finishes every family, and stops with exit 0. */
  private void converge(Path data, List<String> log) throws Exception {
    Daemon d = Daemon.start(data, null, tmp.resolve("logs"));
    submitAll(d);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
    while (true) {
      JsonNode runs = d.client.runs();
      JsonNode images = d.client.images().path("images");
      int ready = 0;
      for (JsonNode i : images) {
        if ("READY".equals(i.path("state").asString())) {
          ready++;
        }
      }
      if (runs.path("active").isEmpty() && ready == FAMILIES.size()) {
        break;
      }
      assertThat(Instant.now()).as("not converged: " + runs + "\n" + log).isBefore(deadline);
      Thread.sleep(200);
    }
    d.process.destroy(); // SIGTERM
    assertThat(d.awaitExit(Duration.ofSeconds(60))).as(log.toString()).isZero();
    assertThat(DataDirInvariants.violations(data)).as(log.toString()).isEmpty();
  }

  private static void submitAll(Daemon d) {
    for (String f : FAMILIES) {
      try {
        d.client.submit("images/" + f + "/", false);
      } catch (ThinImageException e) {
        return; // the daemon died at a crash point while we were submitting
      }
    }
  }

  /** A daemon child process. */
  record Daemon(Process process, DaemonClient client) {
    static Daemon start(Path data, String crashAt, Path logs) throws Exception {
      List<String> cmd = ChildJvm.java();
      cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar"));
      cmd.add(ProofCli.jar().toString());
      cmd.addAll(List.of("daemon", "--metrics-port", "0", "--data-dir", data.toString()));
      cmd.addAll(List.of("--pool-driver", "directory"));
      cmd.addAll(s3.cliOptions(BUCKET));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().keySet().removeIf(k -> k.startsWith("THINIMAGE_"));
      if (crashAt != null) {
        pb.environment().put("THINIMAGE_CRASH_AT", crashAt);
      }
      Files.createDirectories(logs);
      pb.redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("daemon.log").toFile()));
      Process p = pb.start();
      Path socket = data.resolve("thinimage.sock");
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (!DaemonClient.isLive(socket) && p.isAlive()) {
        assertThat(Instant.now()).as("daemon did not start").isBefore(deadline);
        Thread.sleep(50);
      }
      return new Daemon(p, new DaemonClient(socket));
    }

    int awaitExit(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
      return process.exitValue();
    }
  }
}
