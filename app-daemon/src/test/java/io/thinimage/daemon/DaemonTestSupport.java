package io.thinimage.daemon;

import io.thinimage.daemon.client.DaemonClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A running child-JVM daemon for tests in other packages (the dashboard's). */
public final class DaemonTestSupport {
  private DaemonTestSupport() {}

  /** Starts a daemon over a fresh store with the given families (3 layers each). */
  public static Daemon start(Path root, long downloadDelayMillis, String... families)
      throws IOException {
    Path store = DaemonProcessTest.writeStore(root, families);
    return new Daemon(new DaemonProcess(root, store, downloadDelayMillis).start());
  }

  /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes. */
  public static void await(Duration timeout, BooleanSupplier condition, String what) {
    DaemonProcess.await(timeout, condition, what);
  }

  /** A started daemon. */
  public static final class Daemon implements AutoCloseable {
    private final DaemonProcess process;

    Daemon(DaemonProcess process) {
      this.process = process;
    }

    public Path socket() {
      return process.socket;
    }

    public DaemonClient client() {
      return process.client();
    }

    /** Submits {@code reference} and waits until its run succeeds. */
    public void submitAndAwait(String reference) {
      String id = client().submit(reference, false).path("run").path("id").asString();
      String status = DaemonProcessTest.awaitRunEnd(client(), id);
      if (!"SUCCEEDED".equals(status)) {
        throw new AssertionError(reference + " ended " + status);
      }
    }

    public int imageCount() {
      return client().images().path("images").size();
    }

    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }
}
