package io.thinimage.daemon.monitor;

import io.thinimage.daemon.monitor.DashboardData.ActivityRow;
import io.thinimage.daemon.monitor.DashboardData.RunRow;
import io.thinimage.daemon.monitor.DashboardData.SystemStatus;
import java.util.Locale;

/** The dashboard as one plain-text snapshot, for pipes and logs (no terminal control codes). */
public final class PlainReport {
  private PlainReport() {}

  /** The text of one snapshot. */
  public static String render(DashboardData d) {
    StringBuilder sb = new StringBuilder();
    if (!d.connected()) {
      return "daemon: disconnected (" + d.problem() + ")\n";
    }
    SystemStatus s = d.system();
    sb.append("daemon: connected   health: ").append(s.health()).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "pool: %s  data %s  metadata %s%nimages: %d (%d ready)  active activations: %d%ndb: %s%n%n",
            s.poolDriver(),
            Format.usage(s.dataUsed(), s.dataTotal()),
            Format.usage(s.metadataUsed(), s.metadataTotal()),
            s.images(),
            s.readyImages(),
            s.activeActivations(),
            s.dbPath()));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-9s %-10s %-40s %-16s %s%n",
            "TYPE",
            "STATE",
            "IMAGE",
            "PROGRESS",
            "ERROR"));
    if (d.runs().isEmpty()) {
      sb.append("(no active runs)\n");
    }
    for (RunRow r : d.runs()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %-10s %-40s %-16s %s%n",
              r.type(),
              r.state(),
              Format.fit(r.image(), 40),
              Format.progress(r),
              r.error()));
    }
    sb.append('\n')
        .append(String.format(Locale.ROOT, "%-8s %-9s %s%n", "TIME", "FSM", "TRANSITION"));
    for (ActivityRow a : d.activity().subList(0, Math.min(10, d.activity().size()))) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-8s %-9s %s%s%n",
              a.time(),
              a.fsm(),
              a.transition(),
              a.error().isEmpty() ? "" : "  " + a.error()));
    }
    return sb.toString();
  }
}
