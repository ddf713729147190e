package io.thinimage.daemon.monitor;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.daemon.client.DaemonClient;
import io.thinimage.daemon.monitor.DashboardData.ActivityRow;
import io.thinimage.daemon.monitor.DashboardData.RunRow;
import io.thinimage.daemon.monitor.DashboardData.StoreRow;
import io.thinimage.daemon.monitor.DashboardData.SystemStatus;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads the dashboard's data from the daemon ({@link #fetch}) and turns the JSON answers into
 * {@link DashboardData} ({@link #parse}, pure, unit-tested).
 */
public final class DashboardSource {
  private static final List<String> PIPELINE = List.of("RESOLVE", "FETCH", "BUILD", "ACTIVATE");
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final DaemonClient client;

  public DashboardSource(DaemonClient client) {
    this.client = client;
  }

  /** One refresh: five small requests over the socket. Never throws. */
  public DashboardData fetch() {
    try {
      JsonNode runs = client.runs();
      JsonNode status = client.status();
      JsonNode health = client.health();
      JsonNode activity = client.activity(50);
      JsonNode images = client.images();
      JsonNode listing;
      try {
        listing = client.store("images/");
      } catch (ThinImageException e) {
        listing = null; // the daemon has no store lister: browse the images it knows
      }
      return parse(runs, status, health, activity, images, listing);
    } catch (ThinImageException e) {
      return DashboardData.disconnected(e.getMessage());
    }
  }

  /** Builds the dashboard's data from the daemon's answers; {@code listing} may be null. */
  public static DashboardData parse(
      JsonNode runs,
      JsonNode status,
      JsonNode health,
      JsonNode activity,
      JsonNode images,
      JsonNode listing) {
    List<RunRow> runRows = new ArrayList<>();
    for (JsonNode r : runs.path("active")) {
      runRows.add(runRow(r));
    }
    JsonNode pool = status.path("pool");
    JsonNode counts = status.path("counts");
    SystemStatus system =
        new SystemStatus(
            pool.path("driver").asString("-"),
            pool.path("dataUsedBytes").asLong(-1),
            pool.path("dataTotalBytes").asLong(-1),
            pool.path("metadataUsedBytes").asLong(-1),
            pool.path("metadataTotalBytes").asLong(-1),
            counts.path("images").asLong(0),
            counts.path("readyImages").asLong(0),
            counts.path("activeActivations").asLong(0),
            counts.path("activeRuns").asLong(0),
            counts.path("failedRuns").asLong(0),
            health.path("status").asString("unknown"),
            status.path("store").path("location").asString("-"),
            status.path("objectStore").asString("-"));
    List<ActivityRow> log = new ArrayList<>();
    for (JsonNode t : activity.path("transitions")) {
      String at = t.path("at").asString("");
      String time;
      try {
        time = CLOCK.format(Instant.parse(at));
      } catch (RuntimeException e) {
        time = at;
      }
      log.add(
          new ActivityRow(
              time,
              t.path("fsm").asString(""),
              orNew(t.path("fromState").asString(""))
                  + " -"
                  + t.path("event").asString("")
                  + "-> "
                  + t.path("toState").asString(""),
              errorOf(t)));
    }
    return new DashboardData(
        true,
        "",
        runRows,
        system,
        log,
        listing == null ? knownImages(images) : storeRows(listing, images),
        listing != null,
        "");
  }

  private static String orNew(String state) {
    return state.isEmpty() ? "(new)" : state;
  }

  private static RunRow runRow(JsonNode r) {
    String type = r.path("type").asString("");
    String state = r.path("state").asString("");
    JsonNode a = r.path("attributes");
    String image =
        switch (type) {
          case "image" -> a.path("reference").asString(r.path("resourceId").asString(""));
          case "download", "unpack" -> a.path("key").asString(r.path("resourceId").asString(""));
          default -> a.path("imageId").asString(r.path("resourceId").asString(""));
        };
    int step = "image".equals(type) ? PIPELINE.indexOf(state) + 1 : 0;
    return new RunRow(
        r.path("id").asString(""),
        type,
        state,
        r.path("status").asString(""),
        image,
        Math.max(step, 0),
        "image".equals(type) ? PIPELINE.size() : 0,
        errorOf(r));
  }

  private static String errorOf(JsonNode n) {
    String code = n.path("errorCode").asString("");
    String msg = n.path("errorMessage").asString("");
    if (code.isEmpty()) {
      return msg;
    }
    return msg.isEmpty() ? code : code + ": " + msg;
  }

  /** Rows for the store listing: one per layer object, marked if a known image has it. */
  private static List<StoreRow> storeRows(JsonNode listing, JsonNode images) {
    Set<String> known = new HashSet<>();
    for (JsonNode img : images.path("images")) {
      for (JsonNode l : img.path("layers")) {
        known.add(l.path("object").path("key").asString(""));
      }
    }
    List<StoreRow> rows = new ArrayList<>();
    for (JsonNode o : listing.path("objects")) {
      String key = o.path("key").asString("");
      String family = familyOf(key);
      String slash = key.contains("/") ? key.substring(0, key.lastIndexOf('/') + 1) : key;
      rows.add(
          new StoreRow(
              family,
              key.substring(key.lastIndexOf('/') + 1),
              o.path("size").asLong(0),
              known.contains(key) ? "yes" : "no",
              slash));
    }
    return rows;
  }

  /** Without a listing: the images the daemon knows, one row each. */
  private static List<StoreRow> knownImages(JsonNode images) {
    Map<String, StoreRow> rows = new LinkedHashMap<>();
    for (JsonNode img : images.path("images")) {
      String ref = img.path("reference").path("value").asString("");
      long size = 0;
      for (JsonNode l : img.path("layers")) {
        size += l.path("object").path("size").asLong(0);
      }
      rows.putIfAbsent(
          ref,
          new StoreRow(
              familyOf(ref),
              img.path("layers").size() + " layers",
              size,
              img.path("state").asString("").toLowerCase(java.util.Locale.ROOT),
              ref));
    }
    return new ArrayList<>(rows.values());
  }

  /** {@code golang} for {@code images/golang/2.tar} and for {@code images/golang/}. */
  static String familyOf(String key) {
    String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    String[] parts = k.split("/");
    if (key.endsWith("/") || parts.length < 2) {
      return parts[parts.length - 1];
    }
    return parts[parts.length - 2];
  }
}
