package io.thinimage.daemon.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thinimage.daemon.DaemonTestSupport;
import io.thinimage.daemon.MonitorMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real terminal: tmux runs the monitor against a running daemon, the test reads
 * the pane with {@code capture-pane} and types keys with {@code send-keys}. Skipped without tmux.
 */
class MonitorTmuxTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir Path tmp;
  private final String server = "ti-monitor-" + ProcessHandle.current().pid();

  private static boolean tmuxPresent() {
    try {
      return new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private String tmux(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  private String pane() {
    try {
      return tmux("capture-pane", "-p", "-t", "dash");
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  private String awaitPane(String... fragments) {
    String[] last = {""};
    try {
      DaemonTestSupport.await(
          WAIT,
          () -> {
            last[0] = pane();
            for (String f : fragments) {
              if (!last[0].contains(f)) {
                return false;
              }
            }
            return true;
          },
          "pane to show " + String.join(", ", fragments));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; pane was:\n" + last[0], e);
    }
    return last[0];
  }

  @Test
  void dashboardShowsPanelsBrowsesImagesSubmitsAndQuits() throws Exception {
    assumeTrue(tmuxPresent(), "tmux is not installed");
    DaemonTestSupport.Daemon daemon = DaemonTestSupport.start(tmp, 2000, "delta", "epsilon");
    try {
      daemon.submitAndAwait("images/delta/");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String command =
          "'"
              + java
              + "' -Xshare:off -XX:TieredStopAtLevel=1 -cp '"
              + System.getProperty("java.class.path")
              + "' "
              + MonitorMain.class.getName()
              + " --socket '"
              + daemon.socket()
              + "'; echo MONITOR-EXIT=$?; sleep 60";
      tmux("new-session", "-d", "-s", "dash", "-x", "130", "-y", "40", command);

      String view1 =
          awaitPane(
              "thinimage dashboard", "● connected", "Active runs (0)", "System status", "Activity");
      assertThat(view1)
          .contains("images    1 (1 ready)")
          .contains("active    1 activations")
          .contains("health    ok")
          .contains("thinimage.db")
          .contains("image     ACTIVATE -ACTIVATED-> DONE")
          .contains("pool      directory");

      tmux("send-keys", "-t", "dash", "2");
      String view2 = awaitPane("Images in the store", "epsilon", "DOWNLOADED");
      assertThat(view2.lines().filter(l -> l.contains("delta") && l.contains(" yes")).count())
          .isEqualTo(3);
      assertThat(view2.lines().filter(l -> l.contains("epsilon") && l.contains(" no")).count())
          .isEqualTo(3);

      tmux("send-keys", "-t", "dash", "G");
      awaitPane("> epsilon");
      tmux("send-keys", "-t", "dash", "Enter");
      awaitPane("submitted images/epsilon/");
      tmux("send-keys", "-t", "dash", "1");
      awaitPane("Active runs", "images/epsilon/");

      tmux("send-keys", "-t", "dash", "q");
      awaitPane("MONITOR-EXIT=0");
      DaemonTestSupport.await(
          WAIT, () -> daemon.imageCount() == 2, "the submitted image to be processed");
    } finally {
      tmux("kill-server");
      daemon.close();
    }
  }

  @Test
  void plainSnapshotWhenNotATerminal() throws Exception {
    DaemonTestSupport.Daemon daemon = DaemonTestSupport.start(tmp, 0, "zeta");
    try {
      daemon.submitAndAwait("images/zeta/");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xshare:off",
                  "-cp",
                  System.getProperty("java.class.path"),
                  MonitorMain.class.getName(),
                  "--socket",
                  daemon.socket().toString())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(out)
          .contains("daemon: connected   health: ok")
          .contains("images: 1 (1 ready)")
          .contains("(no active runs)")
          .doesNotContain("\u001b[");
    } finally {
      daemon.close();
    }
  }
}
