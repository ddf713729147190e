package io.thinimage.cli.commands;

import io.thinimage.cli.output.Sizes;
import io.thinimage.cli.output.Table;
import io.thinimage.cli.output.Views.ImageList;
import io.thinimage.cli.output.Views.ImageView;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.Activation;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code list-images}: every image and its state. */
@Command(
    name = "list-images",
    mixinStandardHelpOptions = true,
    description = "List images, newest first: reference, state, layers, size, live snapshots.")
public final class ListImagesCommand extends BaseCommand {

  @Override
  protected boolean usesDaemonWhenLive() {
    return true;
  }

  @Override
  protected boolean mutating() {
    return false;
  }

  @Override
  protected int run(CliContext ctx) {
    ImageManager m = ctx.manager();
    List<Activation> activations = m.listActivations();
    List<ImageView> images =
        m.listImages().stream().map(i -> ImageView.of(i, activations)).toList();
    if (ctx.printer().json()) {
      ctx.printer().printJson(new ImageList(images.size(), images));
      return 0;
    }
    ctx.printer().out().print(render(images));
    return 0;
  }

  static String render(List<ImageView> images) {
    if (images.isEmpty()) {
      return "No images.\n";
    }
    Table t = new Table("IMAGE ID", "REFERENCE", "STATE", "LAYERS", "SIZE", "SNAPSHOTS", "UPDATED");
    for (ImageView i : images) {
      t.row(
          i.id(),
          i.reference(),
          i.failureCode() == null ? i.state() : i.state() + " (" + i.failureCode() + ")",
          i.layers().size(),
          Sizes.human(i.sizeBytes()),
          i.liveActivations(),
          i.updatedAt());
    }
    return t.render();
  }
}
