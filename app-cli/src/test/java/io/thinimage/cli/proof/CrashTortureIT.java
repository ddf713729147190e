package io.thinimage.cli.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.proof.ProofCli.Result;
import io.thinimage.cli.proof.ProofCli.Running;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduced crash torture of the real jar on the directory pool (the full run with 300+ kills is
 * {@code torture/crash-torture.sh}, recorded in docs/RELIABILITY.md): 25 halts at named engine
 * points through {@code THINIMAGE_CRASH_AT} (exit 137, no cleanup, like kill -9) and 10 SIGKILLs
 * after a random delay. After each, the same command runs again without a crash and must succeed,
 * and the data dir must satisfy every invariant.
 */
class CrashTortureIT {
  /** Points reached by a cold process-image of a three-layer family, on a fresh data dir. */
  static final List<String> COLD_POINTS =
      List.of(
          "download/CHECK/after-commit",
          "download/FETCH/before-effect",
          "download/FETCH/downloaded",
          "download/FETCH/after-effect",
          "download/STORE/renamed",
          "download/STORE/after-effect",
          "unpack/PLAN/reserved",
          "unpack/PLAN/after-commit",
          "unpack/CREATE/created",
          "unpack/CREATE/after-effect",
          "unpack/APPLY/mounted",
          "unpack/APPLY/applied",
          "unpack/APPLY/after-effect",
          "unpack/SEAL/after-effect",
          "image/RESOLVE/after-effect",
          "image/FETCH/after-commit",
          "image/BUILD/before-effect",
          "image/ACTIVATE/after-effect");

  /** Points reached by process-image --new-activation of a ready image. */
  private static final List<String> ACTIVATE_POINTS =
      List.of(
          "activate/PLAN/reserved",
          "activate/SNAPSHOT/snapshotted",
          "activate/EXPOSE/activated",
          "activate/EXPOSE/after-effect");

  /** Points reached by deactivate of a live snapshot. */
  private static final List<String> DEACTIVATE_POINTS =
      List.of(
          "deactivate/MARK/after-effect",
          "deactivate/REMOVE/deleted",
          "deactivate/REMOVE/after-effect");

  @TempDir Path tmp;
  Path store;

  @BeforeEach
  void store() throws Exception {
    store = tmp.resolve("store");
    ProofCli.copySamples(store);
  }

  ProofCli fresh(String name) {
    return new ProofCli(tmp.resolve("data-" + name), store, tmp.resolve("runs"));
  }

  @Test
  void everyNamedPointRecovers() throws Exception {
    int kills = 0;
    int n = 0;
    for (String point : COLD_POINTS) {
      ProofCli cli = fresh("p" + n++);
      // Layer 2 of worker is shared with web: the second layer's points are reached too.
      String spec =
          point + "#" + (point.startsWith("download/") || point.startsWith("unpack/") ? 2 : 1);
      kills += crashThenRecover(cli, spec, "process-image", "--s3-key", "images/worker/");
    }
    ProofCli warm = fresh("warm");
    assertThat(warm.run("process-image", "--s3-key", "images/web/").code()).isZero();
    for (String point : ACTIVATE_POINTS) {
      kills +=
          crashThenRecover(
              warm, point, "process-image", "--s3-key", "images/web/", "--new-activation");
    }
    for (String point : DEACTIVATE_POINTS) {
      String act = liveActivation(warm);
      kills += crashThenRecover(warm, point, "deactivate", act);
    }
    assertThat(kills).isEqualTo(25);
  }

  @Test
  void randomKillsRecover() throws Exception {
    Random random = new Random(42);
    ProofCli cli = fresh("random");
    List<String> families = List.of("web", "worker", "minimal");
    int kills = 0;
    int round = 0;
    List<String> log = new ArrayList<>();
    while (kills < 10 && round < 40) {
      round++;
      if (round % 4 == 0) {
        cli = fresh("random" + round);
      }
      String[] cmd = {"process-image", "--s3-key", "images/" + families.get(round % 3) + "/"};
      Running r = cli.start(Map.of(), cmd);
      Thread.sleep(300 + random.nextInt(1500));
      r.process().destroyForcibly();
      int code = r.await().code();
      if (code != 0) {
        kills++;
      }
      log.add(String.join(" ", cmd) + " -> " + code);
      Result again = cli.run(cmd);
      assertThat(again.code()).as(again.toString()).isZero();
      assertThat(DataDirInvariants.violations(cli.data())).as(log.toString()).isEmpty();
    }
    assertThat(kills).as(log.toString()).isEqualTo(10);
  }

  private static int crashThenRecover(ProofCli cli, String spec, String... cmd) throws Exception {
    Result crashed = cli.run(Map.of("THINIMAGE_CRASH_AT", spec), cmd);
    assertThat(crashed.code()).as(spec + ": " + crashed).isEqualTo(137);
    Result again = cli.run(cmd);
    assertThat(again.code()).as(spec + " then re-run: " + again).isZero();
    assertThat(DataDirInvariants.violations(cli.data())).as("after " + spec).isEmpty();
    return 1;
  }

  private static String liveActivation(ProofCli cli) throws Exception {
    Result r = cli.run("list-snapshots", "--output", "json");
    assertThat(r.code()).as(r.toString()).isZero();
    return r.json().get("snapshots").get(0).get("id").asString();
  }
}
