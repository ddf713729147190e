package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import io.thinimage.cli.support.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code thinimage gc --unused-for} as a child process over real SQLite, the directory pool and a
 * {@code file://} store. The child's clock cannot be moved, so the data is aged instead: every
 * timestamp gc reads is moved 40 days back in the database between two commands.
 */
class GcRetentionIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path tmp;
  Path store;
  Path data;

  @BeforeEach
  void store() throws IOException {
    store = tmp.resolve("store");
    Samples.copyTo(store);
    data = tmp.resolve("data");
  }

  Result cli(Map<String, String> env, String... args) throws Exception {
    return CliProcess.onDirectoryPool(data, store, env, args);
  }

  Result cli(String... args) throws Exception {
    return cli(Map.of(), args);
  }

  JsonNode json(String... args) throws Exception {
    Result r = cli(args);
    assertThat(r.code()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void nothingRecentExpiresAgedImagesAndBlobsGoInOneForcedRun() throws Exception {
    JsonNode web = json("process-image", "--s3-key", "images/web/", "-o", "json");
    String webId = web.get("image").get("id").asString();
    // worker shares web's two base layers; its snapshot is gone, so only age holds it
    JsonNode worker = json("process-image", "--s3-key", "images/worker/", "-o", "json");
    String workerId = worker.get("image").get("id").asString();
    json("deactivate", worker.get("activation").get("id").asString(), "-o", "json");

    JsonNode fresh = json("gc", "--unused-for", "1d", "-o", "json");
    assertThat(fresh.get("findings")).as(fresh.toString()).isEmpty();
    assertThat(cli("gc", "--unused-for", "P1D").out()).isEqualTo("Nothing to collect.\n");

    age(Duration.ofDays(40));

    JsonNode dry = json("gc", "--unused-for", "30d", "-o", "json");
    assertThat(dry.get("applied").asBoolean()).isFalse();
    assertThat(kinds(dry))
        .containsExactlyInAnyOrder(
            "expired-image",
            "unreferenced-volume",
            "unreferenced-blob",
            "expired-blob",
            "expired-blob",
            "expired-blob");
    assertThat(dry.get("findings"))
        .filteredOn(f -> f.get("kind").asString().equals("expired-image"))
        .singleElement()
        .satisfies(f -> assertThat(f.get("object").asString()).isEqualTo(workerId));
    assertThat(cli("gc", "--unused-for", "30d").out())
        .contains("expired-image", workerId)
        .endsWith("6 leftovers; run gc --force --unused-for 30d to act on them.\n");
    // a longer retention: nothing is that old
    assertThat(json("gc", "--unused-for", "41d", "-o", "json").get("findings")).isEmpty();

    // the retention from the environment, as the other options take theirs
    Result forced = cli(Map.of("THINIMAGE_GC_UNUSED_FOR", "30d"), "gc", "--force", "-o", "json");
    assertThat(forced.code()).as(forced.toString()).isZero();
    JsonNode applied = JSON.readTree(forced.out());
    assertThat(applied.get("applied").asBoolean()).isTrue();
    assertThat(kinds(applied)).isEqualTo(kinds(dry));

    assertThat(json("gc", "--unused-for", "30d", "-o", "json").get("findings")).isEmpty();
    assertThat(json("gc", "-o", "json").get("findings")).isEmpty();
    JsonNode images = json("list-images", "-o", "json").get("images");
    assertThat(images).hasSize(1);
    assertThat(images.get(0).get("id").asString()).isEqualTo(webId);
    JsonNode counts = json("status", "-o", "json").get("counts");
    assertThat(counts.get("blobs").asLong()).isZero();
    assertThat(counts.get("chainVolumes").asLong()).isEqualTo(3);

    // web still works without its dropped blobs: nothing to download or build
    JsonNode again = json("process-image", "--s3-key", "images/web/", "-o", "json");
    assertThat(again.get("image").get("state").asString()).isEqualTo("ready");
    assertThat(json("status", "-o", "json").get("counts").get("blobs").asLong()).isZero();
  }

  @Test
  void aBadRetentionIsAOneLineUsageErrorAndTheHelpShowsTheDefault() throws Exception {
    for (String bad : new String[] {"0d", "-3d", "soon", "P0D", "30"}) {
      Result r = cli("gc", "--unused-for", bad);
      assertThat(r.code()).as(bad + ": " + r).isEqualTo(2);
      assertThat(r.err().lines()).as(r.toString()).hasSize(1);
      assertThat(r.err()).startsWith("thinimage: usage: ").contains("--unused-for");
    }
    Result env = cli(Map.of("THINIMAGE_GC_UNUSED_FOR", "garbage"), "gc");
    assertThat(env.code()).as(env.toString()).isEqualTo(2);
    assertThat(env.err().lines()).hasSize(1);
    Result help = cli("gc", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("--unused-for=DURATION", "THINIMAGE_GC_UNUSED_FOR", "Default: off");
  }

  private static List<String> kinds(JsonNode report) {
    List<String> out = new ArrayList<>();
    report.get("findings").forEach(f -> out.add(f.get("kind").asString()));
    return out;
  }

  /** Moves every timestamp gc's retention reads {@code d} into the past. */
  private void age(Duration d) throws Exception {
    long nanos = d.toNanos();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("thinimage.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE images SET updated_at = updated_at - " + nanos);
      s.executeUpdate(
          "UPDATE activations SET created_at = created_at - "
              + nanos
              + ", updated_at = updated_at - "
              + nanos);
      s.executeUpdate("UPDATE blobs SET stored_at = stored_at - " + nanos);
    }
  }
}
