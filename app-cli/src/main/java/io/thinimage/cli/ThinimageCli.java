package io.thinimage.cli;

import io.thinimage.cli.commands.ActivateCommand;
import io.thinimage.cli.commands.AnalyzeS3Command;
import io.thinimage.cli.commands.BackupCommand;
import io.thinimage.cli.commands.DeactivateCommand;
import io.thinimage.cli.commands.DeleteCommand;
import io.thinimage.cli.commands.GcCommand;
import io.thinimage.cli.commands.ListImagesCommand;
import io.thinimage.cli.commands.ListSnapshotsCommand;
import io.thinimage.cli.commands.ProcessImageCommand;
import io.thinimage.cli.commands.SetupPoolCommand;
import io.thinimage.cli.commands.StatusCommand;
import io.thinimage.cli.support.ErrorReporter;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code thinimage} command. Each subcommand parses its options, wires the ports with Guice and
 * calls the public {@link io.thinimage.core.api.ImageManager}; this class only assembles them and
 * maps failures to the documented exit codes.
 */
@Command(
    name = "thinimage",
    mixinStandardHelpOptions = true,
    versionProvider = ThinimageCli.Version.class,
    description = {
      "Pull container image layers from S3, unpack them into thin-pool volumes and activate them"
          + " as snapshots, tracked in SQLite, every step crash-resumable.",
      "",
      "Exit codes: 0 ok, 1 internal error, 2 usage, 3 not found, 4 invalid or hostile input, 5"
          + " unsafe host or pool, 6 transient failure after retries (or data dir busy with"
          + " --no-wait), 7 conflict with the current state."
    })
public final class ThinimageCli implements Runnable {
  /**
   * Every subcommand, in the order {@code --help} lists them. They are added by {@link
   * #commandLine}, not listed in the annotation: building every command's model is a sixth of a
   * short run (an idempotent re-run), so a run builds only the command it invokes.
   */
  private static final List<Class<?>> COMMANDS =
      List.of(
          ProcessImageCommand.class,
          ListImagesCommand.class,
          ListSnapshotsCommand.class,
          StatusCommand.class,
          BackupCommand.class,
          ActivateCommand.class,
          DeactivateCommand.class,
          DeleteCommand.class,
          AnalyzeS3Command.class,
          SetupPoolCommand.class,
          GcCommand.class,
          io.thinimage.cli.commands.DaemonCommand.class,
          io.thinimage.daemon.cli.MonitorCommand.class,
          AutoComplete.GenerateCompletion.class,
          CommandLine.HelpCommand.class);

  /** Commands that need the others' models: {@code help} and completion describe them all. */
  private static final Set<Class<?>> NEED_ALL =
      Set.of(AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class);

  @Spec CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(code);
  }

  /** Runs {@code args} writing to {@code out} and {@code err}; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return guarded(commandLine(invoked(args), out, err), args);
  }

  /**
   * Executes {@code cl}, reporting what picocli lets through as one line too: its execution handler
   * only sees exceptions, so an {@link Error} (out of memory, stack overflow) a command throws
   * would otherwise end the JVM with a stack trace on the terminal.
   */
  static int guarded(CommandLine cl, String[] args) {
    try {
      return cl.execute(args);
    } catch (Throwable t) { // the terminal's last line of defence: one line, never a trace
      ErrorReporter reporter =
          cl.getExecutionExceptionHandler() instanceof ErrorReporter r ? r : new ErrorReporter();
      return reporter.report(t, cl.getErr());
    }
  }

  /** The configured picocli command line with every subcommand. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(COMMANDS, out, err);
  }

  /**
   * The subcommands a run of {@code args} needs: only the invoked one when the first argument names
   * one (by name or alias); all of them otherwise, so that root help, {@code help}, completion and
   * the suggestions for a mistyped command see every command.
   */
  static List<Class<?>> invoked(String[] args) {
    if (args.length == 0) {
      return COMMANDS;
    }
    for (Class<?> c : COMMANDS) {
      Command command = c.getAnnotation(Command.class);
      boolean named =
          command.name().equals(args[0]) || Arrays.asList(command.aliases()).contains(args[0]);
      if (named) {
        return NEED_ALL.contains(c) ? COMMANDS : List.of(c);
      }
    }
    return COMMANDS;
  }

  /** The configured picocli command line (handlers, streams, case-insensitive enums). */
  static CommandLine commandLine(List<Class<?>> subcommands, PrintWriter out, PrintWriter err) {
    ErrorReporter reporter = new ErrorReporter();
    CommandLine cl = new CommandLine(new ThinimageCli());
    for (Class<?> c : subcommands) {
      cl.addSubcommand(c);
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(reporter);
    cl.setParameterExceptionHandler(reporter);
    cl.setExitCodeExceptionMapper(io.thinimage.cli.support.ExitCodes::of);
    CommandLine completion = cl.getSubcommands().get("generate-completion");
    if (completion != null) {
      completion.getCommandSpec().usageMessage().hidden(true);
    }
    return cl;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version from the jar manifest (or "development" when run from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ThinimageCli.class.getPackage().getImplementationVersion();
      return new String[] {"thinimage " + (v == null ? "development" : v)};
    }
  }
}
