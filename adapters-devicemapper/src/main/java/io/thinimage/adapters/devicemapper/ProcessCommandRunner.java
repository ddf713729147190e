package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs real processes. stdin is {@code /dev/null}; stdout and stderr are drained concurrently (so a
 * chatty command never blocks on a full pipe) and kept up to {@code maxCaptureBytes} each. {@code
 * LC_ALL=C} is set so error texts are the untranslated ones the errno table knows.
 */
public final class ProcessCommandRunner implements CommandRunner {
  /** Default bound per stream: generous for {@code thin_ls} of a big pool, small for memory. */
  public static final int DEFAULT_MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

  /** How long to wait for a killed process to be reaped before reporting the timeout anyway. */
  private static final long KILL_GRACE_MILLIS = 2_000;

  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "command-output-reader");
            t.setDaemon(true);
            return t;
          });

  private final int maxCaptureBytes;

  public ProcessCommandRunner() {
    this(DEFAULT_MAX_CAPTURE_BYTES);
  }

  public ProcessCommandRunner(int maxCaptureBytes) {
    if (maxCaptureBytes <= 0) {
      throw new IllegalArgumentException("maxCaptureBytes must be positive");
    }
    this.maxCaptureBytes = maxCaptureBytes;
  }

  @Override
  public CommandResult run(List<String> argv, Duration timeout) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("LC_ALL", "C");
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.UNSAFE,
          "command-start-failed",
          "cannot start " + argv.get(0) + ": " + e.getMessage(),
          e);
    }
    AtomicBoolean truncated = new AtomicBoolean();
    CompletableFuture<String> out = drain(process.getInputStream(), truncated);
    CompletableFuture<String> err = drain(process.getErrorStream(), truncated);
    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw ThinImageException.transientFailure(
          "command-interrupted", "interrupted while running " + String.join(" ", argv), e);
    }
    if (!finished) {
      killTree(process);
      throw ThinImageException.transientFailure(
          "command-timeout",
          "command did not finish within " + timeout + ", killed: " + String.join(" ", argv),
          null);
    }
    return new CommandResult(
        argv, process.exitValue(), collect(out), collect(err), truncated.get());
  }

  /**
   * Kills the process and every descendant. Descendants are listed first: once the parent is gone
   * they are re-parented and no longer reachable from it.
   */
  private static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      // A process stuck in uninterruptible sleep (D state) cannot be reaped: do not wait forever.
      process.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private CompletableFuture<String> drain(InputStream in, AtomicBoolean truncated) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream kept = new ByteArrayOutputStream();
          byte[] buf = new byte[8192];
          try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
              int room = maxCaptureBytes - kept.size();
              if (n > room) {
                truncated.set(true);
              }
              if (room > 0) {
                kept.write(buf, 0, Math.min(n, room));
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return kept.toString(StandardCharsets.UTF_8);
        },
        READERS);
  }

  /**
   * The output of a finished command. A descendant that inherited the pipe may keep it open after
   * the command exited; we then return what arrived within a second instead of hanging.
   */
  private static String collect(CompletableFuture<String> f) {
    try {
      return f.get(1, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
