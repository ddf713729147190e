package io.thinimage.cli.commands;

import io.thinimage.cli.output.Views.ActivationView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code deactivate ACTIVATION_ID}: remove a snapshot's device and volume. */
@Command(
    name = "deactivate",
    mixinStandardHelpOptions = true,
    description =
        "Remove a snapshot's device and volume (kept as history). Idempotent for an inactive one.")
public final class DeactivateCommand extends BaseCommand {

  @Parameters(paramLabel = "ACTIVATION_ID", description = "A snapshot id from list-snapshots.")
  String activationId;

  @Override
  protected boolean usesDaemonWhenLive() {
    return true;
  }

  @Override
  protected boolean mutating() {
    return true;
  }

  @Override
  protected int run(CliContext ctx) {
    ActivationView v = ActivationView.of(ctx.manager().deactivate(activationId));
    if (ctx.printer().json()) {
      ctx.printer().printJson(v);
    } else {
      ctx.printer().println("Snapshot " + v.id() + " is " + v.state() + ".");
    }
    return 0;
  }
}
