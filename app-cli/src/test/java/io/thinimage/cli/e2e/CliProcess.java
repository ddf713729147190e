package io.thinimage.cli.e2e;

import io.thinimage.cli.support.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real runnable jar as a child process, as an operator would. */
final class CliProcess {
  private CliProcess() {}

  /** What a run printed and returned. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("thinimage.cli.jar", "target/thinimage-cli.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("runnable jar missing (run after package): " + jar);
    }
    return jar;
  }

  static Result run(Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = ChildJvm.java();
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    return exec(cmd, env, null);
  }

  /**
   * Runs {@code args} against {@code data} with the local-directory store {@code store} and the
   * directory pool: the set-up of most end-to-end tests.
   */
  static Result onDirectoryPool(Path data, Path store, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--data-dir", data.toString(),
            "--store", store.toUri().toString(),
            "--pool-driver", "directory"));
    return run(env, all);
  }

  static Result exec(List<String> cmd, Map<String, String> env, Path dir)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().keySet().removeIf(k -> k.startsWith("THINIMAGE_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile("cli-out", ".txt");
    Path err = Files.createTempFile("cli-err", ".txt");
    try {
      pb.redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.PIPE);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + cmd);
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
