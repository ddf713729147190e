package io.thinimage.daemon.monitor;

import java.util.List;

/**
 * What the dashboard shows, parsed from the daemon's answers: plain values, no JSON, no widgets.
 *
 * @param connected whether the last refresh reached the daemon
 * @param problem why it did not (empty when connected)
 * @param runs the active runs
 * @param system the system status panel
 * @param activity the latest transitions, newest first
 * @param store the image browser's rows
 * @param storeFromListing true when rows come from the daemon's store listing, false when they are
 *     the images the daemon already knows (no listing available)
 * @param notice a one-line message for the footer (e.g. what Enter submitted)
 */
public record DashboardData(
    boolean connected,
    String problem,
    List<RunRow> runs,
    SystemStatus system,
    List<ActivityRow> activity,
    List<StoreRow> store,
    boolean storeFromListing,
    String notice) {

  public DashboardData {
    runs = List.copyOf(runs);
    activity = List.copyOf(activity);
    store = List.copyOf(store);
  }

  /** Before the first refresh, or when the daemon cannot be reached. */
  public static DashboardData disconnected(String problem) {
    return new DashboardData(
        false, problem, List.of(), SystemStatus.UNKNOWN, List.of(), List.of(), false, "");
  }

  /** The same data with another footer notice. */
  public DashboardData withNotice(String n) {
    return new DashboardData(
        connected, problem, runs, system, activity, store, storeFromListing, n);
  }

  /** One active run. {@code progress} is the pipeline stage as {@code k/n} or the state. */
  public record RunRow(
      String id,
      String type,
      String state,
      String status,
      String image,
      int step,
      int steps,
      String error) {}

  /**
   * The system panel. Sizes are bytes, -1 when unknown.
   *
   * @param health {@code ok}, {@code degraded} or {@code unknown}
   */
  public record SystemStatus(
      String poolDriver,
      long dataUsed,
      long dataTotal,
      long metadataUsed,
      long metadataTotal,
      long images,
      long readyImages,
      long activeActivations,
      long activeRuns,
      long failedRuns,
      String health,
      String dbPath,
      String store) {
    public static final SystemStatus UNKNOWN =
        new SystemStatus("-", -1, -1, -1, -1, 0, 0, 0, 0, 0, "unknown", "-", "-");
  }

  /** One transition in the activity log. */
  public record ActivityRow(String time, String fsm, String transition, String error) {}

  /**
   * One row of the image browser.
   *
   * @param family the image family ({@code golang} for {@code images/golang/2.tar})
   * @param layer the layer key or, for a known image, its layer count
   * @param size bytes
   * @param downloaded whether the daemon already has it ({@code yes}, {@code no}, or the image
   *     state)
   * @param reference what Enter submits
   */
  public record StoreRow(
      String family, String layer, long size, String downloaded, String reference) {}
}
