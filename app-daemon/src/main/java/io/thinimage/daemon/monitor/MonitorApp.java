package io.thinimage.daemon.monitor;

import dev.tamboui.backend.jline3.JLineBackend;
import dev.tamboui.terminal.Terminal;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.daemon.client.DaemonClient;
import io.thinimage.daemon.monitor.UiState.Action;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code monitor}: the live dashboard of a running daemon, drawn with TamboUI on JLine. Refreshes
 * every second over the admin socket; when stdout is not a terminal it prints one plain snapshot
 * ({@link PlainReport}) instead. The CLI calls {@link #run(Path)}.
 */
public final class MonitorApp {
  private static final long REFRESH_MILLIS = 1000;

  /** JLine's non-blocking reader answers this when the timeout passed without input. */
  private static final int READ_TIMEOUT = -2;

  private final DaemonClient client;
  private final DashboardSource source;
  private final AtomicReference<DashboardData> data =
      new AtomicReference<>(DashboardData.disconnected("connecting"));
  private final AtomicReference<String> notice = new AtomicReference<>("");

  private MonitorApp(Path socket) {
    this.client = new DaemonClient(socket);
    this.source = new DashboardSource(client);
  }

  /**
   * Runs the dashboard against the daemon on {@code socket} until {@code q}; returns the exit code
   * (0, or 6 when a plain snapshot could not reach the daemon).
   */
  public static int run(Path socket) {
    // On Java 17 a null console means stdin or stdout is not a terminal (pipe, file, cron).
    @SuppressWarnings("SystemConsoleNull")
    boolean plain = System.console() == null;
    return run(socket, System.out, plain);
  }

  /** {@link #run(Path)} with the output stream and the TTY decision given. */
  public static int run(Path socket, PrintStream out, boolean plain) {
    MonitorApp app = new MonitorApp(socket);
    if (plain) {
      DashboardData d = app.source.fetch();
      out.print(PlainReport.render(d));
      out.flush();
      return d.connected() ? 0 : 6;
    }
    try {
      app.interactive();
      return 0;
    } catch (IOException e) {
      System.err.println("thinimage monitor: terminal error: " + e.getMessage());
      return 1;
    }
  }

  private void refresh() {
    DashboardData d = source.fetch();
    data.set(d.withNotice(notice.get()));
  }

  private void interactive() throws IOException {
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "monitor-refresh");
              t.setDaemon(true);
              return t;
            });
    var unused =
        ticker.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    JLineBackend backend = new JLineBackend();
    try (Terminal<JLineBackend> terminal = new Terminal<>(backend)) {
      backend.enableRawMode();
      backend.enterAlternateScreen();
      backend.hideCursor();
      terminal.clear();
      UiState ui = UiState.initial();
      while (true) {
        DashboardData shown = data.get();
        UiState drawn = ui.clamp(shown);
        terminal.draw(f -> DashboardView.render(drawn, shown, f.area(), f.buffer()));
        int key = backend.read(100);
        if (key == READ_TIMEOUT) {
          continue;
        }
        if (key < 0) {
          break; // end of input
        }
        key = arrows(backend, key);
        UiState.Step step = drawn.onKey(key, shown);
        ui = step.state();
        if (step.action() == Action.QUIT) {
          break;
        }
        if (step.action() == Action.REFRESH) {
          ticker.execute(this::refresh);
        }
        if (step.action() == Action.SUBMIT) {
          ui.selectedStoreRow(shown)
              .ifPresent(row -> ticker.execute(() -> submit(row.reference())));
        }
      }
    } finally {
      ticker.shutdownNow();
      try {
        backend.showCursor();
        backend.leaveAlternateScreen();
        backend.disableRawMode();
        backend.flush();
      } finally {
        backend.close();
      }
    }
  }

  /** Arrow up/down (ESC [ A / ESC [ B) behave as k/j. */
  private static int arrows(JLineBackend backend, int key) throws IOException {
    if (key != 27) {
      return key;
    }
    if (backend.read(20) != '[') {
      return key;
    }
    int c = backend.read(20);
    return c == 'A' ? 'k' : c == 'B' ? 'j' : key;
  }

  private void submit(String reference) {
    try {
      String id = client.submit(reference, false).path("run").path("id").asString();
      notice.set("submitted " + reference + " (run " + id + ")");
    } catch (ThinImageException e) {
      notice.set("submit failed: " + e.code() + ": " + e.getMessage());
    }
    refresh();
  }
}
