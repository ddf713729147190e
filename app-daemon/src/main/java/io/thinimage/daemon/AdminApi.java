package io.thinimage.daemon;

import io.thinimage.core.api.GcOptions;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.StatusReport;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.port.BlockDevicePool.PoolStatus;
import io.thinimage.core.port.HealthProbe.HealthReport;
import io.thinimage.core.port.ObjectStore;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The versioned admin API ({@code /v1/...}) as a function from a request to an {@link Answer}, so
 * it is tested without a server. Every answer is JSON; errors carry the {@link ErrorKind} and
 * stable code of the {@link ThinImageException} that caused them.
 */
final class AdminApi {
  private static final Pattern RUN = Pattern.compile("/v1/runs/([A-Za-z0-9._:-]{1,200})");
  private static final Pattern RUN_ACTION =
      Pattern.compile("/v1/runs/([A-Za-z0-9._:-]{1,200})/(cancel|retry)");
  private static final Pattern RUN_RESULT =
      Pattern.compile("/v1/runs/([A-Za-z0-9._:-]{1,200})/result");
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,15}");
  private static final Pattern IMAGE = Pattern.compile("/v1/images/([A-Za-z0-9._:-]{1,200})");
  private static final Pattern IMAGE_ACTIVATE =
      Pattern.compile("/v1/images/([A-Za-z0-9._:-]{1,200})/activate");
  private static final Pattern ACTIVATION_DEACTIVATE =
      Pattern.compile("/v1/activations/([A-Za-z0-9._:-]{1,200})/deactivate");
  private static final int DEFAULT_RECENT = 50;
  private static final int MAX_RECENT = 1000;

  /** How far back {@code GET /v1/runs} looks for active runs. */
  private static final int ACTIVE_WINDOW = 2000;

  /** How many recently changed runs {@code GET /v1/activity} reads the history of. */
  private static final int ACTIVITY_RUNS = 12;

  private final ImageManager manager;
  private final Optional<ObjectStore> store;

  AdminApi(ImageManager manager, Optional<ObjectStore> store) {
    this.manager = manager;
    this.store = store;
  }

  /** The answer to {@code method path?query} with {@code body}; never throws. */
  Answer handle(String method, String path, Map<String, String> query, String body) {
    try {
      return route(method, path, query, body);
    } catch (ThinImageException e) {
      return Answer.error(ApiError.of(e.kind(), e.code(), e.getMessage()));
    } catch (JacksonException e) {
      return Answer.error(
          ApiError.badJson("request body is not valid JSON: " + e.getOriginalMessage()));
    } catch (RuntimeException e) {
      return Answer.error(ApiError.of(ErrorKind.INTERNAL, "internal-error", String.valueOf(e)));
    }
  }

  private Answer route(String method, String path, Map<String, String> query, String body) {
    Answer fixed =
        switch (path) {
          case "/v1/health" -> get(method) ? health() : notAllowed(method, path, "GET");
          case "/v1/status" ->
              get(method) ? Answer.json(200, manager.status()) : notAllowed(method, path, "GET");
          case "/v1/images" -> {
            if ("POST".equals(method)) {
              yield submit(body);
            }
            yield get(method)
                ? Answer.json(200, new Images(manager.listImages()))
                : notAllowed(method, path, "GET, POST");
          }
          case "/v1/activations" ->
              get(method)
                  ? Answer.json(200, new Activations(manager.listActivations()))
                  : notAllowed(method, path, "GET");
          case "/v1/runs" -> get(method) ? runs(query) : notAllowed(method, path, "GET");
          case "/v1/activity" -> get(method) ? activity(query) : notAllowed(method, path, "GET");
          case "/v1/store" -> get(method) ? storeListing(query) : notAllowed(method, path, "GET");
          case "/v1/gc" ->
              "POST".equals(method)
                  ? Answer.json(200, manager.gc(gcOptions(query)))
                  : notAllowed(method, path, "POST");
          case "/v1/backup" ->
              "POST".equals(method) ? backup(body) : notAllowed(method, path, "POST");
          default -> null;
        };
    if (fixed != null) {
      return fixed;
    }
    Matcher action = RUN_ACTION.matcher(path);
    if (action.matches()) {
      if (!"POST".equals(method)) {
        return notAllowed(method, path, "POST");
      }
      String id = action.group(1);
      Run run = "cancel".equals(action.group(2)) ? manager.cancel(id) : manager.retryNow(id);
      return Answer.json(200, new RunView(run, null));
    }
    Matcher result = RUN_RESULT.matcher(path);
    if (result.matches()) {
      return get(method)
          ? Answer.json(200, manager.result(result.group(1)))
          : notAllowed(method, path, "GET");
    }
    Matcher activate = IMAGE_ACTIVATE.matcher(path);
    if (activate.matches()) {
      return "POST".equals(method)
          ? Answer.json(200, manager.activate(activate.group(1)))
          : notAllowed(method, path, "POST");
    }
    Matcher deactivate = ACTIVATION_DEACTIVATE.matcher(path);
    if (deactivate.matches()) {
      return "POST".equals(method)
          ? Answer.json(200, manager.deactivate(deactivate.group(1)))
          : notAllowed(method, path, "POST");
    }
    Matcher image = IMAGE.matcher(path);
    if (image.matches()) {
      String id = image.group(1);
      if ("DELETE".equals(method)) {
        manager.deleteImage(id);
        return Answer.json(200, Map.of("deleted", id));
      }
      return get(method)
          ? Answer.json(
              200,
              manager
                  .findImage(id)
                  .orElseThrow(
                      () -> ThinImageException.notFound("image-not-found", "no image " + id)))
          : notAllowed(method, path, "GET, DELETE");
    }
    Matcher one = RUN.matcher(path);
    if (one.matches()) {
      if (!get(method)) {
        return notAllowed(method, path, "GET");
      }
      String id = one.group(1);
      Run run =
          manager
              .findRun(id)
              .orElseThrow(() -> ThinImageException.notFound("run-not-found", "no run " + id));
      return Answer.json(200, new RunView(run, manager.history(id)));
    }
    return Answer.error(ApiError.noRoute(path));
  }

  private static boolean get(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }

  private static Answer notAllowed(String method, String path, String allow) {
    return Answer.notAllowed(method, path, allow);
  }

  private Answer submit(String body) {
    JsonNode req = Json.mapper().readTree(body == null || body.isBlank() ? "{}" : body);
    if (!req.isObject()) {
      throw ThinImageException.invalid("bad-request", "the body must be a JSON object");
    }
    JsonNode ref = req.path("reference");
    if (!ref.isString()) {
      throw ThinImageException.invalid("bad-request", "\"reference\" (a string) is required");
    }
    boolean newActivation = req.path("newActivation").asBoolean(false);
    boolean activate = req.path("activate").asBoolean(true);
    Run run =
        manager.submit(
            new ImageReference(ref.asString()), new ProcessOptions(newActivation, activate));
    return Answer.json(202, new RunView(run, null));
  }

  /**
   * {@code POST /v1/backup {"to": "/abs/path"}}: a checked copy of the store, written by the
   * daemon.
   */
  private Answer backup(String body) {
    JsonNode req = Json.mapper().readTree(body == null || body.isBlank() ? "{}" : body);
    JsonNode to = req.path("to");
    if (!to.isString() || !to.asString().startsWith("/")) {
      throw ThinImageException.invalid("bad-request", "\"to\" (an absolute path) is required");
    }
    manager.backup(java.nio.file.Path.of(to.asString()));
    return Answer.json(200, Map.of("backup", to.asString()));
  }

  private Answer runs(Map<String, String> query) {
    int limit = intParam(query, "limit", DEFAULT_RECENT, 1, MAX_RECENT);
    List<Run> window = manager.recentRuns(Math.max(limit, ACTIVE_WINDOW));
    List<Run> active = window.stream().filter(r -> r.status().isActive()).toList();
    List<Run> recent = window.stream().limit(limit).toList();
    return Answer.json(200, new Runs(active, recent));
  }

  /** The latest transitions of the most recently changed runs, newest first. */
  private Answer activity(Map<String, String> query) {
    int limit = intParam(query, "limit", 20, 1, 200);
    List<Run> changed =
        manager.recentRuns(ACTIVITY_RUNS * 4).stream()
            .sorted(java.util.Comparator.comparing(Run::updatedAt).reversed())
            .limit(ACTIVITY_RUNS)
            .toList();
    List<ActivityEntry> entries = new java.util.ArrayList<>();
    for (Run r : changed) {
      for (TransitionRecord t : manager.history(r.id())) {
        entries.add(
            new ActivityEntry(
                t.at(),
                r.id(),
                r.type(),
                r.resourceId(),
                t.fromState(),
                t.event(),
                t.toState(),
                t.errorCode(),
                t.errorMessage()));
      }
    }
    entries.sort(
        java.util.Comparator.comparing(ActivityEntry::at)
            .thenComparing(ActivityEntry::runId)
            .reversed());
    return Answer.json(200, new Activity(entries.stream().limit(limit).toList()));
  }

  private Answer health() {
    StatusReport s = manager.status();
    HealthReport h = s.health();
    PoolStatus p = s.pool();
    String verdict = h.unsafe() || !p.acceptsAllocations() ? "degraded" : "ok";
    return Answer.json(200, new Health(verdict, h, p.acceptsAllocations(), p.refusalReason()));
  }

  private Answer storeListing(Map<String, String> query) {
    ObjectStore s =
        store.orElseThrow(
            () ->
                ThinImageException.notFound(
                    "store-listing-unavailable", "this daemon was started without a store lister"));
    String prefix = query.getOrDefault("prefix", "images/");
    if (prefix.startsWith("/") || prefix.contains("..")) {
      throw ThinImageException.invalid("bad-prefix", "prefix must be a relative key prefix");
    }
    return Answer.json(200, new StoreListing(s.describe(), prefix, s.list(prefix)));
  }

  /**
   * {@code POST /v1/gc?force=&unusedFor=}: the retention is an ISO-8601 duration ({@code P30D},
   * {@code PT12H}) or a number of seconds, positive and at most 100 years.
   */
  static GcOptions gcOptions(Map<String, String> q) {
    GcOptions options = GcOptions.of(Boolean.parseBoolean(q.get("force")));
    String v = q.get("unusedFor");
    if (v == null) {
      return options;
    }
    Duration d;
    try {
      d = SECONDS.matcher(v).matches() ? Duration.ofSeconds(Long.parseLong(v)) : Duration.parse(v);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw ThinImageException.invalid(
          "bad-parameter",
          "unusedFor must be an ISO-8601 duration (P30D) or a number of seconds, got " + v);
    }
    try {
      return options.withUnusedFor(d);
    } catch (ThinImageException e) {
      throw ThinImageException.invalid("bad-parameter", "unusedFor: " + e.getMessage());
    }
  }

  private static int intParam(Map<String, String> q, String name, int dflt, int min, int max) {
    String v = q.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ThinImageException.invalid(
            "bad-parameter", name + " must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ThinImageException.invalid("bad-parameter", name + " must be a number, got " + v);
    }
  }

  /** {@code GET /v1/images}. */
  record Images(List<io.thinimage.core.domain.Image> images) {}

  /** {@code GET /v1/activations}. */
  record Activations(List<io.thinimage.core.domain.Activation> activations) {}

  /** {@code GET /v1/runs}: runs not finished, and the most recent ones of any status. */
  record Runs(List<Run> active, List<Run> recent) {}

  /** One run, with its transition history when asked for one run. */
  record RunView(Run run, List<TransitionRecord> history) {}

  /** {@code GET /v1/activity}: recent transitions across runs, newest first. */
  record Activity(List<ActivityEntry> transitions) {}

  /** One transition with the run it belongs to. */
  record ActivityEntry(
      java.time.Instant at,
      String runId,
      String fsm,
      String resourceId,
      String fromState,
      String event,
      String toState,
      String errorCode,
      String errorMessage) {}

  /** {@code GET /v1/health}. */
  record Health(
      String status, HealthReport health, boolean poolAcceptsAllocations, String poolRefusal) {}

  /** {@code GET /v1/store}: the objects under a prefix of the daemon's store. */
  record StoreListing(String store, String prefix, List<RemoteObject> objects) {}
}
