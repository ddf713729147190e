package io.thinimage.cli.output;

import io.thinimage.core.api.ProgressListener;
import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr for downloads and unpacks, redrawn in place with {@code \r}.
 * Only used when stderr is a terminal: in a pipe or a CI log the frames would be noise. Redraws at
 * most every 100 ms per stage so a fast local copy does not flood the terminal.
 */
public final class TtyProgress implements ProgressListener {
  private static final int WIDTH = 30;
  private static final long MIN_REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private String stage = "";
  private String key = "";
  private long total;
  private long lastDraw;

  public TtyProgress(PrintWriter err) {
    this.err = err;
  }

  /** A bar on a terminal, nothing otherwise. */
  public static ProgressListener forConsole(PrintWriter err, boolean enabled) {
    return enabled && System.console() != null ? new TtyProgress(err) : ProgressListener.none();
  }

  @Override
  public synchronized void stageStarted(String stage, String layerKey, long totalBytes) {
    this.stage = stage;
    this.key = layerKey;
    this.total = totalBytes;
    this.lastDraw = 0;
    draw(0);
  }

  @Override
  public synchronized void progress(String stage, String layerKey, long doneBytes) {
    long now = System.nanoTime();
    if (now - lastDraw >= MIN_REDRAW_NANOS) {
      lastDraw = now;
      draw(doneBytes);
    }
  }

  @Override
  public synchronized void stageFinished(String stage, String layerKey, boolean skipped) {
    err.print("\r\033[K");
    err.println(String.format("%-8s %s %s", stage, layerKey, skipped ? "already done" : "done"));
    err.flush();
  }

  private void draw(long done) {
    err.print("\r\033[K" + line(stage, key, done, total));
    err.flush();
  }

  /**
   * The bar text (no bar when the total is unknown), e.g. {@code download images/a/1.tar
   * [#######.......] 50% 80 KiB/160 KiB}.
   */
  static String line(String stage, String key, long done, long total) {
    if (total <= 0) {
      // the stage does not know its size up front (unpack counts what it has applied)
      return String.format("%-8s %s %s", stage, key, Sizes.human(done));
    }
    int pct = total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
    int filled = pct * WIDTH / 100;
    return String.format(
        "%-8s %s [%s%s] %3d%% %s/%s",
        stage,
        key,
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        pct,
        Sizes.human(done),
        Sizes.human(total));
  }
}
