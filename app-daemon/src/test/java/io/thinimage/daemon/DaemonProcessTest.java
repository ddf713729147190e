package io.thinimage.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.testing.TarLayers;
import io.thinimage.daemon.client.DaemonClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The daemon as operators run it: a child JVM over a temp data dir, a local-directory store written
 * here and the directory pool; driven through its socket with {@link DaemonClient}.
 */
class DaemonProcessTest {
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** Writes {@code images/<family>/<n>.tar} layers with content unique to the family. */
  static Path writeStore(Path root, String... families) throws IOException {
    Path store = root.resolve("store");
    for (String family : families) {
      Path dir = Files.createDirectories(store.resolve("images").resolve(family));
      for (int n = 1; n <= 3; n++) {
        byte[] tar =
            TarLayers.layer()
                .dir("etc")
                .file("etc/" + family + "-" + n, family + " layer " + n + "\n")
                .build();
        Files.write(dir.resolve(n + ".tar"), tar);
      }
    }
    return store;
  }

  static String awaitRunEnd(DaemonClient client, String runId) {
    String[] status = {""};
    DaemonProcess.await(
        RUN_TIMEOUT,
        () -> {
          status[0] = client.run(runId).path("run").path("status").asString();
          return !"ACTIVE".equals(status[0]);
        },
        "run " + runId);
    return status[0];
  }

  static long volumes(DaemonProcess d) throws IOException {
    Path dir = d.dataDir.resolve("pool").resolve("volumes");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void submitsThroughTheSocketServesTheApiAndMetricsAndStopsOnSigterm() throws Exception {
    Path store = writeStore(tmp, "alpha");
    try (DaemonProcess d = new DaemonProcess(tmp, store, 0).start()) {
      assertThat(Files.getPosixFilePermissions(d.socket))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(d.socket.getParent()))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      DaemonClient client = d.client();
      assertThat(client.health().path("status").asString()).isEqualTo("ok");

      JsonNode submitted = client.submit("images/alpha/", false);
      String runId = submitted.path("run").path("id").asString();
      assertThat(runId).isNotEmpty();
      assertThat(awaitRunEnd(client, runId)).isEqualTo("SUCCEEDED");

      JsonNode run = client.run(runId);
      assertThat(run.path("history").size()).isGreaterThan(2);
      JsonNode images = client.images().path("images");
      assertThat(images.size()).isEqualTo(1);
      assertThat(images.get(0).path("state").asString()).isEqualTo("READY");
      assertThat(images.get(0).path("layers").size()).isEqualTo(3);
      assertThat(client.activations().path("activations").size()).isEqualTo(1);
      assertThat(client.status().path("counts").path("readyImages").asInt()).isEqualTo(1);
      // Idempotent: the same reference again makes no second activation.
      String again = client.submit("images/alpha/", false).path("run").path("id").asString();
      awaitRunEnd(client, again);
      assertThat(client.activations().path("activations").size()).isEqualTo(1);

      // Status codes.
      DaemonClient.Response missing = client.exchange("GET", "/v1/nope", null);
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.header("Server")).isNull();
      assertThat(client.exchange("DELETE", "/v1/images", null).status()).isEqualTo(405);
      assertThat(client.exchange("DELETE", "/v1/images", null).header("Allow"))
          .isEqualTo("GET, POST");
      assertThat(client.exchange("POST", "/v1/images", "{\"reference\":\"/abs\"}").status())
          .isEqualTo(422);
      assertThat(client.exchange("POST", "/v1/images", "{not json").status()).isEqualTo(400);
      assertThat(client.exchange("POST", "/v1/images", " ".repeat(70_000)).status()).isEqualTo(413);
      assertThatThrownBy(() -> client.run("no-such-run"))
          .isInstanceOfSatisfying(
              ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
      assertThat(client.exchange("POST", "/v1/runs/no-such-run/cancel", "").status())
          .isEqualTo(404);
      assertThat(client.store("images/").path("objects").size()).isEqualTo(3);

      // Metrics on loopback TCP; the admin API is not served there.
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.metricsPort + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("server")).isEmpty();
      assertThat(metrics.body())
          .contains("thinimage_runs{status=\"SUCCEEDED\",type=\"image\"} 2.0")
          .contains("thinimage_transitions_total{event=")
          .contains("fsm=\"download\"")
          .contains("thinimage_transition_duration_seconds_count")
          .contains("thinimage_pool_data_used_bytes")
          .contains("thinimage_store_wal_bytes")
          .contains("thinimage_images_ready 1.0")
          // the SQLite store's connection pools, from Hikari's own tracker
          .contains("hikaricp_connections_active{pool=\"thinimage-sqlite-write\"}")
          .contains("jvm_memory_used_bytes");
      HttpResponse<String> adminOverTcp =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.metricsPort + "/v1/images"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(adminOverTcp.statusCode()).isEqualTo(404);

      // A second daemon on the live socket refuses with one line and a conflict exit code.
      DaemonProcess second = new DaemonProcess(tmp.resolve("second"), store, 0);
      List<String> cmd = new ArrayList<>(second.command());
      cmd.replaceAll(a -> a.startsWith("--socket=") ? "--socket=" + d.socket : a);
      Files.createDirectories(tmp.resolve("second"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(ErrorKind.CONFLICT.exitCode());
      assertThat(out.strip().lines().filter(l -> l.startsWith("thinimage daemon:")).toList())
          .hasSize(1)
          .allMatch(l -> l.contains("already listening"));
      assertThat(DaemonClient.isLive(d.socket)).isTrue();

      assertThat(d.terminate()).isEqualTo(0);
      assertThat(d.socket).doesNotExist();
    }
  }

  @Test
  void killNineMidRunThenRestartCompletesWithoutDuplicateWork() throws Exception {
    Path store = writeStore(tmp, "beta");
    // One download at a time, each slowed: the run is surely mid-way after the first one.
    try (DaemonProcess d =
        new DaemonProcess(tmp, store, 800).withArgs("--download-queue=1").start()) {
      DaemonClient client = d.client();
      String runId = client.submit("images/beta/", false).path("run").path("id").asString();
      // Mid-run: a layer download has finished, others have not.
      DaemonProcess.await(
          RUN_TIMEOUT,
          () -> {
            for (JsonNode r : client.runs().path("recent")) {
              if ("download".equals(r.path("type").asString())
                  && "SUCCEEDED".equals(r.path("status").asString())) {
                return true;
              }
            }
            return false;
          },
          "one finished download");
      assertThat(client.run(runId).path("run").path("status").asString()).isEqualTo("ACTIVE");
      d.kill();
      assertThat(d.socket).exists(); // left behind by kill -9: the restart must replace it

      d.start();
      assertThat(awaitRunEnd(d.client(), runId)).isEqualTo("SUCCEEDED");
      JsonNode images = d.client().images().path("images");
      assertThat(images.size()).isEqualTo(1);
      Set<String> chains = new HashSet<>();
      for (JsonNode layer : images.get(0).path("layers")) {
        chains.add(layer.path("chain").toString());
      }
      assertThat(chains).hasSize(3);
      assertThat(d.client().activations().path("activations").size()).isEqualTo(1);
      // One volume per chain plus the one activation's snapshot: nothing built twice.
      assertThat(volumes(d)).isEqualTo(chains.size() + 1);
      assertThat(d.terminate()).isEqualTo(0);
    }
  }

  @Test
  void sigtermMidRunDrainsExitsZeroAndTheRunResumesOnRestart() throws Exception {
    Path store = writeStore(tmp, "gamma");
    try (DaemonProcess d =
        new DaemonProcess(tmp, store, 600).withArgs("--download-queue=1").start()) {
      String runId = d.client().submit("images/gamma/", false).path("run").path("id").asString();
      DaemonProcess.await(
          RUN_TIMEOUT,
          () -> d.client().run(runId).path("history").size() > 0,
          "the pipeline's first transition");
      assertThat(d.terminate()).isEqualTo(0);
      assertThat(d.socket).doesNotExist();
      assertThat(d.logText()).contains("shutting down").contains("stopped");

      d.start();
      assertThat(awaitRunEnd(d.client(), runId)).isEqualTo("SUCCEEDED");
      assertThat(d.client().activations().path("activations").size()).isEqualTo(1);
      assertThat(d.terminate()).isEqualTo(0);
    }
  }

  @Test
  void twentyConcurrentSubmitsOfThreeReferencesMakeThreeImages() throws Exception {
    Path store = writeStore(tmp, "one", "two", "three");
    try (DaemonProcess d = new DaemonProcess(tmp, store, 50).start()) {
      String[] refs = {"images/one/", "images/two/", "images/three/"};
      ExecutorService pool = Executors.newFixedThreadPool(20);
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String ref = refs[i % refs.length];
        runs.add(
            pool.submit(() -> d.client().submit(ref, false).path("run").path("id").asString()));
      }
      Set<String> ids = new HashSet<>();
      for (Future<String> f : runs) {
        ids.add(f.get(60, TimeUnit.SECONDS));
      }
      pool.shutdown();
      for (String id : ids) {
        assertThat(awaitRunEnd(d.client(), id)).isEqualTo("SUCCEEDED");
      }
      // Later submits may see an earlier run finished and start a no-op one; never duplicates.
      DaemonProcess.await(
          RUN_TIMEOUT, () -> d.client().runs().path("active").isEmpty(), "all runs finished");
      JsonNode images = d.client().images().path("images");
      assertThat(images.size()).isEqualTo(3);
      assertThat(d.client().activations().path("activations").size()).isEqualTo(3);
      assertThat(volumes(d)).isEqualTo(3 * 3 + 3);
      assertThat(d.terminate()).isEqualTo(0);
    }
  }
}
