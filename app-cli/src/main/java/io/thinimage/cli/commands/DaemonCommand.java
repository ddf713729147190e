package io.thinimage.cli.commands;

import com.google.inject.Module;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.cli.wiring.ConfigModule;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.ObjectStore;
import io.thinimage.daemon.DaemonOptions;
import io.thinimage.daemon.ThinimageDaemon;
import io.thinimage.wiring.AdapterMetrics;
import io.thinimage.wiring.DefaultModules;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daemon}: the long-running service over this data dir, with the CLI's own wiring. Holds the
 * data-dir lock for its lifetime, so CLI commands and the daemon never fight for the pool.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Run the service: resume unfinished work, then accept work on the admin socket.",
      "Admin HTTP/JSON API on a Unix socket (mode 0600); Prometheus /metrics on loopback."
          + " SIGTERM or SIGINT drains requests, parks runs resumably and exits 0."
    })
public final class DaemonCommand extends BaseCommand {

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "${env:THINIMAGE_METRICS_PORT:-9464}",
      description =
          "Loopback port for /metrics; 0 turns it off. Env THINIMAGE_METRICS_PORT."
              + " Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(
      names = "--download-queue",
      paramLabel = "N",
      defaultValue = "${env:THINIMAGE_DOWNLOAD_QUEUE:-5}",
      description =
          "Downloads running at once. Env THINIMAGE_DOWNLOAD_QUEUE. Default: ${DEFAULT-VALUE}.")
  int downloadQueue;

  @Option(
      names = "--unpack-queue",
      paramLabel = "N",
      defaultValue = "${env:THINIMAGE_UNPACK_QUEUE:-2}",
      description =
          "Chain builds running at once. Env THINIMAGE_UNPACK_QUEUE. Default: ${DEFAULT-VALUE}.")
  int unpackQueue;

  @Override
  protected boolean mutating() {
    return true;
  }

  @Override
  protected List<Module> modules(CliConfig config, boolean mutating) {
    // The daemon resumes in the background once its socket answers, not while building.
    return List.of(
        new ConfigModule(config),
        DefaultModules.forHost(
            config.hostSettings(
                ManagerConfig.defaults().withConcurrency(downloadQueue, unpackQueue), false)));
  }

  @Override
  protected int run(CliContext ctx) {
    Path s = ctx.config().socket();
    ObjectStore store = ctx.get(ObjectStore.class);
    ImageManager manager = ctx.manager();
    DaemonOptions options =
        DaemonOptions.of(s, metricsPort)
            .withMetrics(AdapterMetrics.of(ctx.get(ImageRepository.class), store));
    return ThinimageDaemon.run(options, manager, Optional.of(store));
  }
}
