package io.thinimage.cli.commands;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.cli.options.CommonOptions;
import io.thinimage.cli.output.Printer;
import io.thinimage.cli.support.DataDirLock;
import io.thinimage.cli.support.ErrorReporter;
import io.thinimage.cli.support.LoggingSetup;
import io.thinimage.cli.wiring.ConfigModule;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.daemon.client.DaemonClient;
import io.thinimage.daemon.client.DaemonImageManager;
import io.thinimage.wiring.DefaultModules;
import io.thinimage.wiring.OpenedResources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The frame every command runs in: resolve the options, configure logging, take the data-dir lock
 * if the command mutates, wire the ports with Guice, run, close everything. Subclasses only
 * present: they call the {@link io.thinimage.core.api.ImageManager} and print what it returns.
 */
public abstract class BaseCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(BaseCommand.class);

  @Mixin public CommonOptions common;

  @Spec protected CommandSpec spec;

  /** Whether this invocation changes state (takes the lock, resumes unfinished runs). */
  protected abstract boolean mutating();

  /**
   * Whether this command goes through a daemon that answers on {@code --socket} instead of opening
   * the data dir itself. Commands that only call the {@link io.thinimage.core.api.ImageManager} say
   * yes; those that need the host (setup-pool, the daemon itself) keep the default, no.
   */
  protected boolean usesDaemonWhenLive() {
    return false;
  }

  /** Does the work; returns the exit code. */
  protected abstract int run(CliContext ctx);

  /**
   * The Guice modules: the default module set over these options. Only mutating commands resume
   * unfinished runs: a {@code list-images} must not start work behind the back of the process that
   * holds the lock.
   */
  protected List<Module> modules(CliConfig config, boolean mutating) {
    return List.of(
        new ConfigModule(config),
        DefaultModules.forHost(config.hostSettings(ManagerConfig.defaults(), mutating)));
  }

  @Override
  public final Integer call() {
    CliConfig config = CliConfig.resolve(common, CliConfig.Host.current());
    Optional<Path> logFile = LoggingSetup.configure(config);
    if (spec.root().commandLine().getExecutionExceptionHandler() instanceof ErrorReporter r) {
      logFile.ifPresent(r::logFile);
    }
    String name = spec.qualifiedName(" ").replaceFirst("^thinimage ", "");
    LOG.atInfo()
        .addKeyValue("command", name)
        .addKeyValue("dataDir", config.dataDir().toString())
        .addKeyValue("db", config.dbFile().toString())
        .addKeyValue("store", config.storeUri())
        .log("thinimage {}", name);
    if (config.driverWasAuto()) {
      LOG.info(
          "pool driver auto: using {} ({} {})",
          config.driver(),
          "/dev/mapper/control",
          "devicemapper".equals(config.driver()) ? "exists" : "is absent");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean mutating = mutating();
    String commandLine =
        name + " " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    if (usesDaemonWhenLive()) {
      Optional<DaemonClient> daemon = DaemonClient.ifLive(config.socket());
      if (daemon.isPresent()) {
        // The daemon owns the data dir (it holds the lock): ask it rather than wait for it.
        LOG.info("a daemon answers on {}: {} goes through it", config.socket(), name);
        DaemonImageManager remote = new DaemonImageManager(daemon.get());
        Injector injector =
            Guice.createInjector(
                new ConfigModule(config), b -> b.bind(ImageManager.class).toInstance(remote));
        int code =
            run(new CliContext(config, new Printer(out, config.output()), err, injector, true));
        out.flush();
        return code;
      }
    }
    try (OpenedResources closer = new OpenedResources()) {
      if (mutating) {
        closer.register(
            DataDirLock.acquire(config.lockFile(), commandLine.strip(), !config.noWait(), err));
      }
      Injector injector = Guice.createInjector(modules(config, mutating));
      closer.register(injector.getInstance(OpenedResources.class));
      int code =
          run(new CliContext(config, new Printer(out, config.output()), err, injector, false));
      out.flush();
      return code;
    }
  }
}
