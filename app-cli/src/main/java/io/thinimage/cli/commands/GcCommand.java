package io.thinimage.cli.commands;

import io.thinimage.cli.options.RetentionAge;
import io.thinimage.cli.output.Table;
import io.thinimage.core.api.GcOptions;
import io.thinimage.core.api.GcReport;
import java.time.Duration;
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
          + " what is reported but kept. --force is refused (exit 7) while runs are in flight.",
      "With --unused-for, also images not used for that long (expired-image: no live snapshot,"
          + " no run in flight; the chain volumes and blobs only they use go with them) and blobs"
          + " of ready images stored that long ago (expired-blob: a cache, downloaded again if a"
          + " rebuild needs it)."
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

  @Option(
      names = "--unused-for",
      paramLabel = "DURATION",
      converter = RetentionAge.class,
      defaultValue = "${env:THINIMAGE_GC_UNUSED_FOR:-off}",
      description =
          "Also collect images and cached blobs not used for this long: 30d, 12h, 90m or"
              + " ISO-8601 (P30D); off = leftovers only. Env THINIMAGE_GC_UNUSED_FOR."
              + " Default: ${DEFAULT-VALUE}")
  Duration unusedFor;

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
    GcOptions options = GcOptions.of(force());
    if (unusedFor != null) {
      options = options.withUnusedFor(unusedFor);
    }
    GcReport r = ctx.manager().gc(options);
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
      String again =
          unusedFor == null
              ? "gc --force"
              : "gc --force --unused-for " + RetentionAge.format(unusedFor);
      ctx.printer().out().print(render(v, again));
    }
    return 0;
  }

  static String render(GcView v) {
    return render(v, "gc --force");
  }

  /** The text output; {@code again} is the command that acts on what a dry run found. */
  static String render(GcView v, String again) {
    if (v.findings().isEmpty()) {
      return "Nothing to collect.\n";
    }
    Table t = new Table("KIND", "OBJECT", "ACTION", "DETAIL");
    v.findings().forEach(f -> t.row(f.kind(), f.object(), f.action(), f.detail()));
    return t.render()
        + (v.applied()
            ? "Done: " + v.count() + " leftovers handled.\n"
            : v.count() + " leftovers; run " + again + " to act on them.\n");
  }
}
