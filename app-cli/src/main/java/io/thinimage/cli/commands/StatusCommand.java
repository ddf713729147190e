package io.thinimage.cli.commands;

import io.thinimage.cli.output.Sizes;
import io.thinimage.cli.output.Table;
import io.thinimage.cli.output.Views.RunView;
import io.thinimage.core.api.StatusReport;
import io.thinimage.core.port.BlockDevicePool.PoolStatus;
import io.thinimage.core.port.HealthProbe.Check;
import io.thinimage.core.port.HealthProbe.HealthReport;
import io.thinimage.core.port.ImageRepository.StoreInfo;
import io.thinimage.core.port.RepositoryReader.Counts;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code status}: the store, the pool, host health, runs in flight and recent failures. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the database, the pool, host health, runs in flight and recent failures.",
      "The database's absolute path, size, WAL size and schema version; counts; the pool's"
          + " usage, mode and whether it accepts allocations; health checks; runs in flight and"
          + " recent failures with their reasons. Read-only: never waits for the data-dir lock."
    })
public final class StatusCommand extends BaseCommand {

  /** {@code status --output json}. */
  public record StatusView(
      String dataDir,
      String objectStore,
      StoreInfo database,
      Counts counts,
      PoolStatus pool,
      boolean healthy,
      List<Check> health,
      List<RunView> activeRuns,
      List<RunView> recentFailures) {
    static StatusView of(String dataDir, StatusReport r) {
      HealthReport h = r.health();
      return new StatusView(
          dataDir,
          r.objectStore(),
          r.store(),
          r.counts(),
          r.pool(),
          !h.unsafe(),
          h.checks(),
          r.activeRuns().stream().map(RunView::of).toList(),
          r.recentFailures().stream().map(RunView::of).toList());
    }
  }

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
    StatusView v = StatusView.of(ctx.config().dataDir().toString(), ctx.manager().status());
    if (ctx.printer().json()) {
      ctx.printer().printJson(v);
    } else {
      print(v, ctx.printer().out());
    }
    return 0;
  }

  static void print(StatusView v, PrintWriter out) {
    StoreInfo db = v.database();
    out.printf("Data dir:       %s%n", v.dataDir());
    out.printf(
        "Database:       %s (%s, WAL %s%s, schema v%d)%n",
        db.location(),
        Sizes.human(db.sizeBytes()),
        Sizes.human(db.walSizeBytes()),
        db.walLarge() ? " LARGE" : "",
        db.schemaVersion());
    out.printf("Object store:   %s%n", v.objectStore());
    PoolStatus p = v.pool();
    out.printf(
        "Pool:           %s, mode %s, data %s of %s, metadata %s of %s, %s%n",
        p.driver(),
        p.mode(),
        Sizes.human(p.dataUsedBytes()),
        Sizes.human(p.dataTotalBytes()),
        Sizes.human(p.metadataUsedBytes()),
        Sizes.human(p.metadataTotalBytes()),
        p.acceptsAllocations()
            ? "accepts allocations"
            : "REFUSES allocations: " + p.refusalReason());
    Counts c = v.counts();
    out.printf(
        "Counts:         %d images (%d ready), %d blobs, %d chain volumes, %d active snapshots,"
            + " %d runs in flight, %d failed runs%n",
        c.images(),
        c.readyImages(),
        c.blobs(),
        c.chainVolumes(),
        c.activeActivations(),
        c.activeRuns(),
        c.failedRuns());
    out.printf("Health:         %s%n", v.healthy() ? "ok" : "UNSAFE");
    if (!v.health().isEmpty()) {
      Table t = new Table("  CHECK", "VERDICT", "VALUE", "DETAIL");
      for (Check ch : v.health()) {
        t.row("  " + ch.name(), ch.verdict(), ch.value(), ch.detail());
      }
      out.print(t.render());
    }
    out.println("Runs in flight: " + (v.activeRuns().isEmpty() ? "none" : ""));
    if (!v.activeRuns().isEmpty()) {
      Table t = new Table("  RUN", "TYPE", "RESOURCE", "STATE", "ATTEMPT", "LAST ERROR");
      for (RunView r : v.activeRuns()) {
        t.row("  " + r.id(), r.type(), r.resourceId(), r.state(), r.attempt(), r.errorCode());
      }
      out.print(t.render());
    }
    out.println("Recent failures: " + (v.recentFailures().isEmpty() ? "none" : ""));
    if (!v.recentFailures().isEmpty()) {
      Table t = new Table("  RUN", "TYPE", "RESOURCE", "WHEN", "REASON");
      for (RunView r : v.recentFailures()) {
        t.row(
            "  " + r.id(),
            r.type(),
            r.resourceId(),
            r.updatedAt(),
            r.errorCode() + ": " + r.errorMessage());
      }
      out.print(t.render());
    }
    out.flush();
  }
}
