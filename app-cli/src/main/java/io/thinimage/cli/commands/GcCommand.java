package io.thinimage.cli.commands;

import io.thinimage.cli.output.Table;
import io.thinimage.core.api.GcReport;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gc}: reconcile the store, the pool and the blob directory; remove leftovers on --force.
 */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "List (--dry-run, the default) or remove (--force) what nothing references.",
      "Reconciles the store, the pool and the blob directory: orphan volumes, records without"
          + " volumes, unreferenced chain volumes and blobs, stray partial downloads, corrupt"
          + " blobs, blob files without a record, and the scratch of interrupted pool operations"
          + " (pool-debris). Mounted volumes are reported and never touched; action 'none' marks"
          + " what is reported but kept. --force is refused (exit 7) while runs are in flight."
    })
public final class GcCommand extends BaseCommand {

  /** {@code gc --output json}. */
  public record GcView(boolean applied, int count, List<FindingView> findings) {}

  /** One leftover. */
  public record FindingView(String kind, String object, String detail, String action) {}

  @ArgGroup(exclusive = true)
  Mode mode;

  /** {@code --dry-run} and {@code --force} exclude each other. */
  static final class Mode {
    @Option(names = "--dry-run", description = "Only report what would be removed (default).")
    boolean dryRun;

    @Option(names = "--force", description = "Remove what the dry run reports.")
    boolean force;
  }

  private boolean force() {
    return mode != null && mode.force;
  }

  @Override
  protected boolean usesDaemonWhenLive() {
    return true;
  }

  @Override
  protected boolean mutating() {
    return force();
  }

  @Override
  protected int run(CliContext ctx) {
    GcReport r = ctx.manager().gc(force());
    List<FindingView> findings =
        r.findings().stream()
            .map(
                f ->
                    new FindingView(
                        f.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        f.object(),
                        f.detail(),
                        f.action()))
            .toList();
    GcView v = new GcView(r.applied(), findings.size(), findings);
    if (ctx.printer().json()) {
      ctx.printer().printJson(v);
    } else {
      ctx.printer().out().print(render(v));
    }
    return 0;
  }

  static String render(GcView v) {
    if (v.findings().isEmpty()) {
      return "Nothing to collect.\n";
    }
    Table t = new Table("KIND", "OBJECT", "ACTION", "DETAIL");
    v.findings().forEach(f -> t.row(f.kind(), f.object(), f.action(), f.detail()));
    return t.render()
        + (v.applied()
            ? "Done: " + v.count() + " leftovers handled.\n"
            : v.count() + " leftovers; run gc --force to act on them.\n");
  }
}
