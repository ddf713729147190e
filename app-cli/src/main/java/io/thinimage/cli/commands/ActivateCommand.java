package io.thinimage.cli.commands;

import io.thinimage.cli.output.Views.ActivationView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code activate IMAGE_ID}: one more snapshot of a ready image. */
@Command(
    name = "activate",
    mixinStandardHelpOptions = true,
    description = "Create a new snapshot (activation) of a ready image and print its device path.")
public final class ActivateCommand extends BaseCommand {

  @Parameters(paramLabel = "IMAGE_ID", description = "An image id from list-images.")
  String imageId;

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
    ActivationView v = ActivationView.of(ctx.manager().activate(imageId));
    if (ctx.printer().json()) {
      ctx.printer().printJson(v);
    } else {
      ctx.printer().println("Activated " + v.imageId() + ".");
      ctx.printer().println("  Snapshot ID:    " + v.id());
      ctx.printer().println("  Device Path:    " + v.devicePath());
    }
    return 0;
  }
}
