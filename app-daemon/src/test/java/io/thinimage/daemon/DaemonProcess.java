package io.thinimage.daemon;

import io.thinimage.daemon.client.DaemonClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A daemon in a child JVM over a temp data dir, a local-directory store and the directory pool. */
final class DaemonProcess implements AutoCloseable {
  final Path dataDir;
  final Path socket;
  final Path store;
  final int metricsPort;
  final Path log;
  private final long downloadDelayMillis;
  private final List<String> extraArgs = new ArrayList<>();
  Process process;

  DaemonProcess(Path root, Path store, long downloadDelayMillis) throws IOException {
    this.dataDir = root.resolve("data");
    this.socket = root.resolve("run").resolve("thinimage.sock");
    this.store = store;
    this.metricsPort = freePort();
    this.log = root.resolve("daemon.log");
    this.downloadDelayMillis = downloadDelayMillis;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:off");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Dthinimage.test.downloadDelayMs=" + downloadDelayMillis);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TestDaemonMain.class.getName());
    cmd.add("--data-dir=" + dataDir);
    cmd.add("--store=file://" + store);
    cmd.add("--pool-driver=directory");
    cmd.add("--socket=" + socket);
    cmd.add("--metrics-port=" + metricsPort);
    cmd.addAll(extraArgs);
    return cmd;
  }

  /** Adds daemon options (e.g. {@code --download-queue=1}). */
  DaemonProcess withArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /** Starts the child and waits until its socket answers. */
  DaemonProcess start() throws IOException {
    process =
        new ProcessBuilder(command())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    await(
        Duration.ofSeconds(60),
        () -> DaemonClient.isLive(socket) || !process.isAlive(),
        "daemon socket");
    if (!process.isAlive()) {
      throw new IllegalStateException("daemon exited " + process.exitValue() + ": " + logText());
    }
    return this;
  }

  DaemonClient client() {
    return new DaemonClient(socket);
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  static void await(Duration timeout, BooleanSupplier condition, String what) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** SIGTERM and the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("daemon did not stop after SIGTERM: " + logText());
    }
    return process.exitValue();
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
