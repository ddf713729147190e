package io.thinimage.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.testing.FakeWorld;
import io.thinimage.core.testing.TarLayers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The admin API's routes, codes and JSON over the core's in-memory world (no server). */
class AdminApiTest {
  @TempDir Path tmp;
  private FakeWorld world;
  private ImageManager manager;
  private AdminApi api;

  @BeforeEach
  void setUp() {
    world = new FakeWorld(tmp);
    world.objects().put("images/a/1.tar", TarLayers.layer().file("etc/a", "a\n").build());
    world.objects().put("images/a/2.tar", TarLayers.layer().file("etc/b", "b\n").build());
    manager = world.manager();
    api = new AdminApi(manager, Optional.of(world.objects()));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  private JsonNode json(Answer a) {
    assertThat(a.contentType()).isEqualTo(Answer.JSON);
    return Json.mapper().readTree(a.body());
  }

  private Answer get(String path) {
    return api.handle("GET", path, Map.of(), "");
  }

  @Test
  void submitReturns202WithTheRunAndTheRunEndsWithHistory() {
    Answer submitted = api.handle("POST", "/v1/images", Map.of(), "{\"reference\":\"images/a/\"}");
    assertThat(submitted.status()).isEqualTo(202);
    String id = json(submitted).path("run").path("id").asString();
    assertThat(json(submitted).path("run").path("type").asString()).isEqualTo("image");
    DaemonProcess.await(
        Duration.ofSeconds(30),
        () -> !"ACTIVE".equals(json(get("/v1/runs/" + id)).path("run").path("status").asString()),
        "run end");
    JsonNode one = json(get("/v1/runs/" + id));
    assertThat(one.path("run").path("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(one.path("history").get(0).path("event").asString()).isNotEmpty();

    JsonNode images = json(get("/v1/images")).path("images");
    assertThat(images.size()).isEqualTo(1);
    assertThat(images.get(0).path("reference").path("value").asString()).isEqualTo("images/a/");
    assertThat(images.get(0).path("layers").get(1).path("object").path("key").asString())
        .isEqualTo("images/a/2.tar");
    assertThat(json(get("/v1/activations")).path("activations").size()).isEqualTo(1);
    JsonNode runs = json(get("/v1/runs"));
    assertThat(runs.path("active").isArray()).isTrue();
    assertThat(runs.path("recent").size()).isGreaterThanOrEqualTo(4); // pipeline + children
    assertThat(json(api.handle("GET", "/v1/runs", Map.of("limit", "1"), "")).path("recent").size())
        .isEqualTo(1);
    JsonNode activity = json(get("/v1/activity")).path("transitions");
    assertThat(activity.size()).isGreaterThan(4);
    assertThat(activity.get(0).path("at").asString())
        .isGreaterThanOrEqualTo(activity.get(activity.size() - 1).path("at").asString());
    assertThat(activity.get(0).path("fsm").asString()).isNotEmpty();
    JsonNode status = json(get("/v1/status"));
    assertThat(status.path("counts").path("readyImages").asInt()).isEqualTo(1);
    assertThat(status.path("pool").has("dataUsedBytes")).isTrue();
  }

  @Test
  void errorsCarryKindCodeAndStatus() {
    Answer unknownRun = get("/v1/runs/nope");
    assertThat(unknownRun.status()).isEqualTo(404);
    assertThat(json(unknownRun).path("error").path("code").asString()).isEqualTo("run-not-found");
    assertThat(json(unknownRun).path("error").path("kind").asString()).isEqualTo("NOT_FOUND");
    assertThat(get("/v2/images").status()).isEqualTo(404);
    assertThat(get("/v1/runs/x/cancel").status()).isEqualTo(405);
    assertThat(get("/v1/runs/x/cancel").allow()).isEqualTo("POST");
    assertThat(api.handle("PUT", "/v1/status", Map.of(), "").status()).isEqualTo(405);
    Answer bad = api.handle("POST", "/v1/images", Map.of(), "{\"reference\":\"a/../b\"}");
    assertThat(bad.status()).isEqualTo(422);
    assertThat(json(bad).path("error").path("code").asString()).isEqualTo("bad-reference");
    assertThat(api.handle("POST", "/v1/images", Map.of(), "{}").status()).isEqualTo(422);
    assertThat(api.handle("POST", "/v1/images", Map.of(), "[1]").status()).isEqualTo(422);
    assertThat(api.handle("POST", "/v1/images", Map.of(), "{").status()).isEqualTo(400);
    assertThat(api.handle("GET", "/v1/runs", Map.of("limit", "x"), "").status()).isEqualTo(422);
    assertThat(api.handle("POST", "/v1/runs/nope/retry", Map.of(), "").status()).isEqualTo(404);
  }

  @Test
  void gcTakesAnOptionalRetentionAsIso8601OrSeconds() {
    manager.process(
        new io.thinimage.core.domain.ImageReference("images/a/"),
        new io.thinimage.core.api.ProcessOptions(false, false),
        io.thinimage.core.api.ProgressListener.none());
    Answer none = api.handle("POST", "/v1/gc", Map.of("force", "false"), "");
    assertThat(none.status()).isEqualTo(200);
    assertThat(json(none).path("findings").size()).isZero();
    world.clock().advance(Duration.ofDays(2));
    // not yet two days unused: kept
    assertThat(
            json(api.handle("POST", "/v1/gc", Map.of("unusedFor", "P3D"), ""))
                .path("findings")
                .size())
        .isZero();
    for (String retention : new String[] {"P1D", "PT24H", "86400"}) {
      JsonNode dry = json(api.handle("POST", "/v1/gc", Map.of("unusedFor", retention), ""));
      assertThat(dry.path("applied").asBoolean()).isFalse();
      assertThat(dry.path("findings").get(0).path("kind").asString()).isEqualTo("EXPIRED_IMAGE");
    }
    for (String bad :
        new String[] {"", "30d", "P0D", "-5", "PT-1H", "0", "soon", "PT99999999999H"}) {
      Answer refused = api.handle("POST", "/v1/gc", Map.of("force", "true", "unusedFor", bad), "");
      assertThat(refused.status()).as(bad).isEqualTo(422);
      assertThat(json(refused).path("error").path("code").asString()).isEqualTo("bad-parameter");
    }
    assertThat(manager.listImages()).hasSize(1);
    JsonNode forced =
        json(api.handle("POST", "/v1/gc", Map.of("force", "true", "unusedFor", "P1D"), ""));
    assertThat(forced.path("applied").asBoolean()).isTrue();
    assertThat(manager.listImages()).isEmpty();
  }

  @Test
  void errorKindsMapToHttpStatuses() {
    assertThat(ApiError.statusOf(ErrorKind.INVALID_INPUT)).isEqualTo(422);
    assertThat(ApiError.statusOf(ErrorKind.NOT_FOUND)).isEqualTo(404);
    assertThat(ApiError.statusOf(ErrorKind.CONFLICT)).isEqualTo(409);
    assertThat(ApiError.statusOf(ErrorKind.UNSAFE)).isEqualTo(503);
    assertThat(ApiError.statusOf(ErrorKind.TRANSIENT)).isEqualTo(503);
    assertThat(ApiError.statusOf(ErrorKind.INTERNAL)).isEqualTo(500);
  }

  @Test
  void storeListingNeedsAStoreAndARelativePrefix() {
    JsonNode listing = json(api.handle("GET", "/v1/store", Map.of("prefix", "images/"), ""));
    assertThat(listing.path("objects").size()).isEqualTo(2);
    assertThat(api.handle("GET", "/v1/store", Map.of("prefix", "/etc"), "").status())
        .isEqualTo(422);
    AdminApi without = new AdminApi(manager, Optional.empty());
    Answer a = without.handle("GET", "/v1/store", Map.of(), "");
    assertThat(a.status()).isEqualTo(404);
    assertThat(json(a).path("error").path("code").asString())
        .isEqualTo("store-listing-unavailable");
  }

  @Test
  void healthSaysDegradedWhenTheHostIsUnsafe() {
    assertThat(json(get("/v1/health")).path("status").asString()).isEqualTo("ok");
    world.health(
        () ->
            new io.thinimage.core.port.HealthProbe.HealthReport(
                java.util.List.of(
                    new io.thinimage.core.port.HealthProbe.Check(
                        "memory",
                        "1%",
                        io.thinimage.core.port.HealthProbe.Verdict.UNSAFE,
                        "low"))));
    JsonNode h = json(get("/v1/health"));
    assertThat(h.path("status").asString()).isEqualTo("degraded");
    assertThat(h.path("health").path("checks").get(0).path("name").asString()).isEqualTo("memory");
  }
}
