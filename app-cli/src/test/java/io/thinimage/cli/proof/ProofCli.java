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
 * Runs the real runnable jar as child processes against one data dir, a local-directory store and
 * the directory pool, as an operator or a crash would.
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
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out");
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }
  }

  private final Path data;
  private final Path store;
  private final Path work;
  private int seq;

  ProofCli(Path data, Path store, Path work) {
    this.data = data;
    this.store = store;
    this.work = work;
  }

  Path data() {
    return data;
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

  Running start(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = ChildJvm.java();
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar"));
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    cmd.addAll(
        List.of(
            "--data-dir",
            data.toString(),
            "--store",
            store.toUri().toString(),
            "--pool-driver",
            "directory"));
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
