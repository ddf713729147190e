package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process runner, on real processes. */
class ProcessCommandRunnerTest {
  private final ProcessCommandRunner runner = new ProcessCommandRunner(1000);

  @Test
  void argumentsPassVerbatimWithoutAShell() {
    CommandResult r =
        runner.run(List.of("printf", "%s|", "a b", "$HOME", "*", ""), Duration.ofSeconds(10));
    assertThat(r.ok()).isTrue();
    assertThat(r.stdout()).isEqualTo("a b|$HOME|*||");
  }

  @Test
  void exitCodeAndStderrAreReportedNotThrown() {
    CommandResult r = runner.run(List.of("ls", "/definitely/not/here"), Duration.ofSeconds(10));
    assertThat(r.exitCode()).isNotZero();
    assertThat(Errno.classify(r.stderr())).isEqualTo(Errno.ENOENT);
  }

  @Test
  void outputIsBoundedAndTheCommandStillFinishes() {
    CommandResult r =
        runner.run(List.of("head", "-c", "3000000", "/dev/zero"), Duration.ofSeconds(30));
    assertThat(r.ok()).isTrue();
    assertThat(r.stdout()).hasSize(1000);
    assertThat(r.truncated()).isTrue();
  }

  @Test
  void aTimeoutKillsTheProcessTreeAndIsTransient(@TempDir Path tmp) throws Exception {
    Path pidFile = tmp.resolve("child.pid");
    // The test uses a shell to make a grandchild; the runner itself never does.
    List<String> argv = List.of("sh", "-c", "sleep 300 & echo $! > " + pidFile + "; wait");
    assertThatThrownBy(() -> runner.run(argv, Duration.ofMillis(1500)))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
              assertThat(e.code()).isEqualTo("command-timeout");
            });
    long child = Long.parseLong(Files.readString(pidFile).strip());
    ProcessHandle h = ProcessHandle.of(child).orElse(null);
    if (h != null) {
      h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
  }

  @Test
  void aMissingProgramIsUnsafeNotACrash() throws IOException {
    assertThatThrownBy(
            () -> runner.run(List.of("no-such-program-thinimage"), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("command-start-failed"));
  }
}
