package io.thinimage.cli.commands;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code delete IMAGE_ID}: forget an image with no live snapshots. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = {
      "Delete an image; refused (exit 7) while it has live snapshots.",
      "Volumes shared with other images stay; gc removes unreferenced ones."
    })
public final class DeleteCommand extends BaseCommand {

  /** {@code delete --output json}. */
  public record DeleteView(String deleted) {}

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
    ctx.manager().deleteImage(imageId);
    if (ctx.printer().json()) {
      ctx.printer().printJson(new DeleteView(imageId));
    } else {
      ctx.printer().println("Deleted image " + imageId + ".");
    }
    return 0;
  }
}
