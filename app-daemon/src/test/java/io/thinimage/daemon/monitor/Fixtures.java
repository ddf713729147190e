package io.thinimage.daemon.monitor;

import io.thinimage.daemon.monitor.DashboardData.ActivityRow;
import io.thinimage.daemon.monitor.DashboardData.RunRow;
import io.thinimage.daemon.monitor.DashboardData.StoreRow;
import io.thinimage.daemon.monitor.DashboardData.SystemStatus;
import java.util.List;

/** Dashboard data for view and key tests. */
final class Fixtures {
  private Fixtures() {}

  static DashboardData sample() {
    return new DashboardData(
        true,
        "",
        List.of(
            new RunRow("r1", "image", "FETCH", "ACTIVE", "images/golang/", 2, 4, ""),
            new RunRow(
                "r2",
                "download",
                "FETCH",
                "ACTIVE",
                "images/golang/2.tar",
                0,
                0,
                "s3-timeout: read timed out")),
        new SystemStatus(
            "directory",
            12L << 20,
            1L << 30,
            -1,
            -1,
            3,
            2,
            1,
            2,
            0,
            "ok",
            "/srv/ti/thinimage.db",
            "file:///srv/layers"),
        List.of(
            new ActivityRow("10:00:02", "download", "CHECK -MISSING-> FETCH", ""),
            new ActivityRow("10:00:01", "image", "RESOLVE -RESOLVED-> FETCH", "")),
        List.of(
            new StoreRow("golang", "1.tar", 2048, "yes", "images/golang/"),
            new StoreRow("golang", "2.tar", 4096, "no", "images/golang/"),
            new StoreRow("python", "1.tar", 1L << 20, "no", "images/python/")),
        true,
        "");
  }
}
