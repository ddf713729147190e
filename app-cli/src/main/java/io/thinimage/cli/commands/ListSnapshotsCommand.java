package io.thinimage.cli.commands;

import io.thinimage.cli.output.Table;
import io.thinimage.cli.output.Views.ActivationView;
import io.thinimage.cli.output.Views.SnapshotList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code list-snapshots}: activations and their device paths. */
@Command(
    name = "list-snapshots",
    aliases = "list-activations",
    mixinStandardHelpOptions = true,
    description = {
      "List live snapshots (activations) with the device path to hand to a VM.",
      "Newest first. The device path is /dev/mapper/... on devicemapper and the snapshot's"
          + " directory on the directory pool."
    })
public final class ListSnapshotsCommand extends BaseCommand {

  @Option(names = "--all", description = "Also list inactive and failed snapshots (history).")
  boolean all;

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
    List<ActivationView> views =
        ctx.manager().listActivations().stream()
            .filter(a -> all || a.isLive())
            .map(ActivationView::of)
            .toList();
    if (ctx.printer().json()) {
      ctx.printer().printJson(new SnapshotList(views.size(), views));
      return 0;
    }
    ctx.printer().out().print(render(views));
    return 0;
  }

  static String render(List<ActivationView> views) {
    if (views.isEmpty()) {
      return "No snapshots.\n";
    }
    Table t = new Table("SNAPSHOT ID", "IMAGE ID", "STATE", "DEVICE PATH", "CREATED");
    for (ActivationView a : views) {
      t.row(a.id(), a.imageId(), a.state(), a.devicePath(), a.createdAt());
    }
    return t.render();
  }
}
