package io.thinimage.daemon.cli;

import io.thinimage.daemon.monitor.MonitorApp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code monitor}: the live dashboard of a running daemon ({@link MonitorApp}). */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    description = {
      "Live dashboard of a running daemon: active runs, system status, activity, and an image"
          + " browser (Enter submits). Prints one plain snapshot when stdout is not a terminal.",
      "Keys: 1/2 views, Tab panel, j/k move, g/G first/last, Enter submit, r refresh, q quit."
    })
public final class MonitorCommand implements Callable<Integer> {

  @Option(
      names = "--socket",
      defaultValue = "${env:THINIMAGE_SOCKET:-/var/lib/thinimage/thinimage.sock}",
      description = "The daemon's admin socket. Default: ${DEFAULT-VALUE}.")
  Path socket;

  @Override
  public Integer call() {
    return MonitorApp.run(socket);
  }
}
