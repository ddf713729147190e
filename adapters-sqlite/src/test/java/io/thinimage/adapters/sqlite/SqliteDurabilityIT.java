package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability against real crashes: a child JVM commits steps (run update + transition + domain row
 * per transaction) and acknowledges each; it is SIGKILLed at random moments, including during
 * start-up and inside checkpoints. After every kill the store must pass integrity_check, hold every
 * acknowledged step, and show no half step. {@code -Dthinimage.test.heavy=false} runs 10 kills
 * instead of 50.
 */
class SqliteDurabilityIT {
  private static final String RUN = "run-durability";

  @TempDir Path dir;

  private static int kills() {
    return Boolean.parseBoolean(System.getProperty("thinimage.test.heavy", "true")) ? 50 : 10;
  }

  private Process startWorker(Path db) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    // A small, quick-starting JVM: the loop starts one per kill.
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx96m");
    cmd.add("-Xshare:auto");
    String tmp = System.getProperty("org.sqlite.tmpdir");
    if (tmp != null) {
      cmd.add("-Dorg.sqlite.tmpdir=" + tmp);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DurabilityWorker.class.getName());
    cmd.add(db.toString());
    cmd.add(RUN);
    return new ProcessBuilder(cmd).redirectError(dir.resolve("worker-stderr.log").toFile()).start();
  }

  @Test
  void acknowledgedStepsSurviveSigkillAndNoneIsHalfWritten() throws Exception {
    Path db = dir.resolve("store").resolve("durable.db");
    Random random = new Random(20260301);
    long acknowledged = 0;
    int killsAfterAcks = 0;
    for (int kill = 0; kill < kills(); kill++) {
      Process worker = startWorker(db);
      AtomicLong lastAck = new AtomicLong(acknowledged);
      AtomicBoolean ready = new AtomicBoolean();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    if (line.equals("ready")) {
                      ready.set(true);
                    } else if (line.startsWith("ack ")) {
                      lastAck.set(Long.parseLong(line.substring(4)));
                    }
                  }
                } catch (java.io.IOException e) {
                  // the pipe breaks when the worker dies
                }
              });
      reader.start();

      if (kill % 10 == 3) {
        // Some kills land during start-up: opening, checking, migrating.
        Thread.sleep(random.nextInt(400));
      } else {
        long base = acknowledged;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (lastAck.get() <= base + random.nextInt(3)) {
          if (!worker.isAlive()) {
            // Say why in the failure itself: the temp dir is gone by the time anyone looks.
            throw new AssertionError(
                "worker died by itself (exit "
                    + worker.waitFor()
                    + "):\n"
                    + java.nio.file.Files.readString(dir.resolve("worker-stderr.log")));
          }
          assertThat(System.nanoTime()).as("worker made no progress").isLessThan(deadline);
          Thread.sleep(1);
        }
        Thread.sleep(random.nextInt(25));
        killsAfterAcks++;
      }
      worker.destroyForcibly(); // SIGKILL on Linux
      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(30));
      long acked = lastAck.get();

      if (!db.toFile().exists() || (!ready.get() && acknowledged == 0)) {
        continue; // killed before the store was ever created or initialised
      }
      try (SqliteImageRepository repo =
          SqliteImageRepository.open(
              db, SqliteOptions.defaults().withCheckpointInterval(Duration.ZERO))) {
        assertThat(repo.integrityCheck()).as("integrity after kill %d", kill).isEmpty();
        if (repo.read(r -> r.findRun(RUN)).isEmpty()) {
          assertThat(acked).isZero();
          continue;
        }
        long stored = TransitionWorkload.verifyWhole(repo, RUN);
        assertThat(stored)
            .as("kill %d: every acknowledged step (up to %d) is stored", kill, acked)
            .isGreaterThanOrEqualTo(acked);
        acknowledged = stored;
      }
    }
    System.out.printf(
        "kills=%d (after acknowledged commits: %d), steps committed=%d%n",
        kills(), killsAfterAcks, acknowledged);
    assertThat(killsAfterAcks).isGreaterThanOrEqualTo(kills() * 8 / 10);
    assertThat(acknowledged).isGreaterThan(kills());
    assertThat(new File(dir.toFile(), "store").list()).contains("durable.db");
  }
}
