package io.thinimage.cli.proof;

import io.thinimage.cli.proof.ProofCli.Result;
import io.thinimage.cli.support.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a private copy of the runnable jar (a rebuild of the jar while a long fault run is in flight
 * must not change the classes under it) against one data dir and one store, given as the CLI's own
 * options.
 */
final class FaultCli {
  private final Path jar;
  private final Path data;
  private final List<String> storeArgs;
  private final Map<String, String> env;
  private final Path work;
  private int seq;

  /**
   * @param jar the private jar copy
   * @param data the data dir
   * @param storeArgs options naming the store and the pool driver
   * @param env extra environment (THINIMAGE_* of the caller's shell are removed)
   * @param work where run output files go
   */
  FaultCli(Path jar, Path data, List<String> storeArgs, Map<String, String> env, Path work) {
    this.jar = jar;
    this.data = data;
    this.storeArgs = storeArgs;
    this.env = env;
    this.work = work;
  }

  /** Copies the built jar to {@code dir}. */
  static Path privateJar(Path dir) throws IOException {
    Path copy = dir.resolve("thinimage-cli.jar");
    Files.copy(ProofCli.jar(), copy);
    return copy;
  }

  Path data() {
    return data;
  }

  Path db() {
    return data.resolve("thinimage.db");
  }

  /** Runs one command to its end (at most ten minutes). */
  Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = ChildJvm.java();
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--data-dir", data.toString()));
    cmd.addAll(storeArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("THINIMAGE_"));
    pb.environment().putAll(env);
    int n;
    synchronized (this) {
      n = ++seq;
    }
    Files.createDirectories(work);
    Path out = work.resolve("run-" + n + ".out");
    Path err = work.resolve("run-" + n + ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
