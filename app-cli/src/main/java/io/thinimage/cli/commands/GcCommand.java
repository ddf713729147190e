package io.thinimage.cli.commands;

import io.thinimage.cli.support.ExitCodes;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gc}: reconcile the store with the pool and remove what nothing references. The public API
 * has no gc operation in this build, so the command says so and exits 2 rather than guessing at
 * what is safe to delete.
 */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "Find (--dry-run) or remove (--force) what nothing references. Not in this build.",
      "Volumes, devices and blobs that no image or snapshot references. This build has no gc in"
          + " its API: the command exits 2."
    })
public final class GcCommand extends BaseCommand {

  @ArgGroup(exclusive = true)
  Mode mode;

  /** {@code --dry-run} and {@code --force} exclude each other. */
  static final class Mode {
    @Option(names = "--dry-run", description = "Only report what would be removed (default).")
    boolean dryRun;

    @Option(names = "--force", description = "Remove what the dry run reports.")
    boolean force;
  }

  @Override
  protected boolean mutating() {
    return false;
  }

  @Override
  protected int run(CliContext ctx) {
    ctx.err()
        .println(
            "thinimage: usage [not-implemented]: gc is not implemented in this build; hint: status"
                + " shows orphaned and broken volumes");
    ctx.err().flush();
    return ExitCodes.USAGE;
  }
}
