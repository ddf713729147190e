package io.thinimage.cli.commands;

import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.cli.output.Printer;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.ThinImageException;
import java.io.PrintWriter;

/**
 * What a command runs with: the resolved options, the printer for stdout, stderr for progress and
 * notices, the injector to get the manager (or a port) from, and whether that manager is a
 * daemon's, reached over its socket. The manager is built on first use, so commands that do not
 * need it (analyze-s3, setup-pool) never open the store.
 */
public record CliContext(
    CliConfig config, Printer printer, PrintWriter err, Injector injector, boolean viaDaemon) {

  /** The manager, opened on first call. */
  public ImageManager manager() {
    return get(ImageManager.class);
  }

  /**
   * Any bound port or service. A provider's {@link ThinImageException} is rethrown as itself (Guice
   * wraps it), so its kind still decides the exit code.
   */
  public <T> T get(Class<T> type) {
    try {
      return injector.getInstance(type);
    } catch (ProvisionException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ThinImageException tie) {
          throw tie;
        }
      }
      throw e;
    }
  }
}
