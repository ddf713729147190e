package io.thinimage.daemon.client;

import io.thinimage.core.api.GcOptions;
import io.thinimage.core.api.GcReport;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.api.StatusReport;
import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.daemon.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@link ImageManager} of a running daemon, reached over its admin socket: what the CLI uses
 * when a daemon owns the data dir, so that the CLI and the daemon never both drive the pool. Every
 * call is one request; {@link #process} submits, follows the run until it finishes and returns the
 * same {@link ProcessResult} a local call would. Errors keep the daemon's kind and code.
 */
public final class DaemonImageManager implements ImageManager {
  private static final TypeReference<List<Image>> IMAGES = new TypeReference<>() {};
  private static final TypeReference<List<Activation>> ACTIVATIONS = new TypeReference<>() {};
  private static final TypeReference<List<Run>> RUNS = new TypeReference<>() {};
  private static final TypeReference<List<TransitionRecord>> HISTORY = new TypeReference<>() {};

  private final DaemonClient client;
  private final Duration poll;

  /** A manager over {@code client}, polling a submitted run at most every 100 ms. */
  public DaemonImageManager(DaemonClient client) {
    this(client, Duration.ofMillis(100));
  }

  /**
   * A manager over {@code client}, polling a submitted run at most every {@code poll}: the first
   * polls come sooner (5 ms, doubling), since a run that finds its work done ends within
   * milliseconds and an idempotent re-run should not wait a whole period for it.
   */
  public DaemonImageManager(DaemonClient client, Duration poll) {
    this.client = client;
    this.poll = poll;
  }

  /** The socket of the daemon this manager talks to. */
  public Path socket() {
    return client.socket();
  }

  @Override
  public ProcessResult process(
      ImageReference reference, ProcessOptions options, ProgressListener progress) {
    Run run = submit(reference, options);
    long waitMillis = Math.min(5, poll.toMillis());
    while (run.status().isActive()) {
      sleep(waitMillis);
      waitMillis = Math.min(waitMillis * 2, poll.toMillis());
      run = findRun(run.id()).orElseThrow();
    }
    return as(
        client.call("GET", "/v1/runs/" + encode(run.id()) + "/result", null), ProcessResult.class);
  }

  @Override
  public Run submit(ImageReference reference, ProcessOptions options) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("reference", reference.value());
    body.put("newActivation", options.newActivation());
    body.put("activate", options.activate());
    return as(client.call("POST", "/v1/images", body.toString()).path("run"), Run.class);
  }

  @Override
  public ProcessResult result(String runId) {
    return as(
        client.call("GET", "/v1/runs/" + encode(runId) + "/result", null), ProcessResult.class);
  }

  @Override
  public Run cancel(String runId) {
    return as(client.cancel(runId).path("run"), Run.class);
  }

  /** The daemon resumes its own runs; nothing to do from a client. */
  @Override
  public void resumeInBackground() {}

  @Override
  public Run retryNow(String runId) {
    return as(client.retry(runId).path("run"), Run.class);
  }

  @Override
  public List<Image> listImages() {
    return Json.mapper().convertValue(client.images().path("images"), IMAGES);
  }

  @Override
  public Optional<Image> findImage(String imageId) {
    try {
      return Optional.of(
          as(client.call("GET", "/v1/images/" + encode(imageId), null), Image.class));
    } catch (ThinImageException e) {
      if (e.kind() == io.thinimage.core.domain.ErrorKind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<Activation> listActivations() {
    return Json.mapper().convertValue(client.activations().path("activations"), ACTIVATIONS);
  }

  @Override
  public Activation activate(String imageId) {
    return as(
        client.call("POST", "/v1/images/" + encode(imageId) + "/activate", ""), Activation.class);
  }

  @Override
  public Activation deactivate(String activationId) {
    return as(
        client.call("POST", "/v1/activations/" + encode(activationId) + "/deactivate", ""),
        Activation.class);
  }

  @Override
  public void deleteImage(String imageId) {
    client.call("DELETE", "/v1/images/" + encode(imageId), null);
  }

  @Override
  public GcReport gc(GcOptions options) {
    String query =
        "force="
            + options.force()
            + options.unusedFor().map(d -> "&unusedFor=" + d.toString()).orElse("");
    return as(client.call("POST", "/v1/gc?" + query, ""), GcReport.class);
  }

  @Override
  public StatusReport status() {
    return as(client.status(), StatusReport.class);
  }

  @Override
  public List<Run> recentRuns(int limit) {
    return Json.mapper()
        .convertValue(client.call("GET", "/v1/runs?limit=" + limit, null).path("recent"), RUNS);
  }

  @Override
  public Optional<Run> findRun(String runId) {
    try {
      return Optional.of(as(client.run(runId).path("run"), Run.class));
    } catch (ThinImageException e) {
      if (e.kind() == io.thinimage.core.domain.ErrorKind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<TransitionRecord> history(String runId) {
    return Json.mapper().convertValue(client.run(runId).path("history"), HISTORY);
  }

  /** The daemon writes the copy: {@code target} is a path on the daemon's host. */
  @Override
  public void backup(Path target) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("to", target.toAbsolutePath().toString());
    client.call("POST", "/v1/backup", body.toString());
  }

  /** Nothing to close: each call is its own connection; the daemon keeps running. */
  @Override
  public void close() {}

  private static <T> T as(JsonNode node, Class<T> type) {
    try {
      return Json.mapper().treeToValue(node, type);
    } catch (RuntimeException e) {
      throw ThinImageException.internal(
          "daemon-bad-answer",
          "the daemon's answer is not a " + type.getSimpleName() + ": " + e.getMessage(),
          e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ThinImageException.transientFailure(
          "interrupted", "interrupted while waiting for the daemon", e);
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }
}
