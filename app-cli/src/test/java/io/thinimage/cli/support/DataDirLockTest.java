package io.thinimage.cli.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data-dir lock against a real second process. */
class DataDirLockTest {
  @TempDir Path tmp;

  private Process holder(Path lockFile) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LockHolder.class.getName(),
                lockFile.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).isEqualTo("locked");
    return p;
  }

  @Test
  void aSecondProcessFailsFastWithNoWaitAndNamesTheHolder() throws Exception {
    Path lockFile = tmp.resolve("data/thinimage.lock");
    Process p = holder(lockFile);
    try {
      assertThatThrownBy(
              () ->
                  DataDirLock.acquire(
                      lockFile, "process-image", false, new PrintWriter(new StringWriter())))
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
                assertThat(e.code()).isEqualTo("data-dir-locked");
                assertThat(e.getMessage()).contains("pid " + p.pid()).contains("holder-test");
                assertThat(ExitCodes.of(e)).isEqualTo(6);
              });
    } finally {
      p.getOutputStream().close();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aSecondProcessWaitsSayingForWhomThenProceeds() throws Exception {
    Path lockFile = tmp.resolve("thinimage.lock");
    Process p = holder(lockFile);
    StringWriter err = new StringWriter();
    CompletableFuture<DataDirLock> waiter =
        CompletableFuture.supplyAsync(
            () ->
                DataDirLock.acquire(lockFile, "activate img-1", true, new PrintWriter(err, true)));
    // the waiter says whom it waits for before blocking; wait for that line, then release
    while (!err.toString().contains("waiting for")) {
      assertThat(waiter).isNotDone();
      Thread.sleep(5);
    }
    assertThat(err.toString()).contains("pid " + p.pid()).contains("holder-test");
    p.getOutputStream().close();
    try (DataDirLock lock = waiter.get(60, TimeUnit.SECONDS)) {
      assertThat(Files.readString(lockFile))
          .contains("pid " + ProcessHandle.current().pid())
          .contains("activate img-1");
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theLockIsReusableAfterRelease() {
    Path lockFile = tmp.resolve("thinimage.lock");
    PrintWriter err = new PrintWriter(new StringWriter());
    DataDirLock.acquire(lockFile, "one", false, err).close();
    DataDirLock.acquire(lockFile, "two", false, err).close();
    assertThat(lockFile).exists();
  }
}
