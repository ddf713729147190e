package io.thinimage.cli.proof;

import io.thinimage.cli.support.ChildJvm;
import io.thinimage.cli.support.Samples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the real runnable jar as child processes against one data dir and one store, as an operator
 * or a crash would: by default the built jar, a local-directory store and the directory pool.
 */
final class ProofCli {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a finished run printed and returned. */
  record Result(int code, String out, String err) {
    JsonNode json() {
      return JSON.readTree(out);
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** A started run; its output goes to files under the work dir. */
  record Running(Process process, Path out, Path err) {
    Result await() throws IOException, InterruptedException {
      if (!process.waitFor(600, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out");
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }
  }

  private final Path jar;
  private final Path data;
  private final List<String> storeArgs;
  private final Map<String, String> env;
  private final Path work;
  private int seq;

  /** The built jar on {@code data}, the local-directory store {@code store}, the directory pool. */
  ProofCli(Path data, Path store, Path work) {
    this(
        jar(),
        data,
        List.of("--store", store.toUri().toString(), "--pool-driver", "directory"),
        Map.of(),
        work);
  }

  /**
   * @param jar the runnable jar (a private copy for long runs: see {@link #privateJar})
   * @param data the data dir
   * @param storeArgs options naming the store and the pool driver
   * @param env extra environment of every run (THINIMAGE_* of the caller's shell are removed)
   * @param work where run output files go
   */
  ProofCli(Path jar, Path data, List<String> storeArgs, Map<String, String> env, Path work) {
    this.jar = jar;
    this.data = data;
    this.storeArgs = List.copyOf(storeArgs);
    this.env = Map.copyOf(env);
    this.work = work;
  }

  Path data() {
    return data;
  }

  Path db() {
    return data.resolve("thinimage.db");
  }

  /**
   * Copies the built jar to {@code dir}: a rebuild of the jar while a long run is in flight must
   * not change the classes under it.
   */
  static Path privateJar(Path dir) throws IOException {
    Path copy = dir.resolve("thinimage-cli.jar");
    Files.copy(jar(), copy);
    return copy;
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("thinimage.cli.jar", "target/thinimage-cli.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("runnable jar missing (run after package): " + jar);
    }
    return jar;
  }

  /** Copies the embedded sample bucket ({@code images/<family>/<n>.tar}) into {@code store}. */
  static void copySamples(Path store) throws IOException {
    Samples.copyTo(store);
  }

  /** Starts one command with {@code env} added to this runner's environment. */
  Running start(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = ChildJvm.java();
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar"));
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--data-dir", data.toString()));
    cmd.addAll(storeArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("THINIMAGE_"));
    pb.environment().putAll(this.env);
    pb.environment().putAll(env);
    int n;
    synchronized (this) {
      n = ++seq;
    }
    Files.createDirectories(work);
    Path out = work.resolve("run-" + n + ".out");
    Path err = work.resolve("run-" + n + ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    p.getOutputStream().close();
    return new Running(p, out, err);
  }

  Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    return start(env, args).await();
  }

  Result run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }
}
