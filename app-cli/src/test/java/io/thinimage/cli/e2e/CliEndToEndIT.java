package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import io.thinimage.cli.support.Samples;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The thinimage jar end to end as a child process: local-directory store, SQLite, directory pool.
 * The store is a copy of the embedded sample bucket plus a hostile layer.
 */
class CliEndToEndIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path tmp;
  Path store;
  Path data;

  @BeforeEach
  void store() throws IOException {
    store = tmp.resolve("store");
    Samples.copyTo(store);
    hostileLayer(store.resolve("images/evil/1.tar"));
    data = tmp.resolve("data");
  }

  /** A layer with a good file, then an entry that climbs out of the root. */
  static void hostileLayer(Path tar) throws IOException {
    Files.createDirectories(tar.getParent());
    try (OutputStream os = Files.newOutputStream(tar);
        TarArchiveOutputStream t = new TarArchiveOutputStream(os)) {
      byte[] ok = "fine\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry good = new TarArchiveEntry("etc/ok.txt");
      good.setSize(ok.length);
      t.putArchiveEntry(good);
      t.write(ok);
      t.closeArchiveEntry();
      byte[] evil = "escaped\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry bad = new TarArchiveEntry("../escape", true);
      bad.setSize(evil.length);
      t.putArchiveEntry(bad);
      t.write(evil);
      t.closeArchiveEntry();
    }
  }

  Result cli(String... args) throws Exception {
    return CliProcess.onDirectoryPool(data, store, Map.of(), args);
  }

  static JsonNode json(Result r) {
    assertThat(r.code()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void processListStatusBackupAndAnIdempotentRerun() throws Exception {
    JsonNode first = json(cli("process-image", "--s3-key", "images/web/", "-o", "json"));
    assertThat(first.get("alreadyDone").asBoolean()).isFalse();
    assertThat(first.get("blobsDownloaded").asInt()).isEqualTo(3);
    assertThat(first.get("volumesBuilt").asInt()).isEqualTo(3);
    String imageId = first.get("image").get("id").asString();
    String activationId = first.get("activation").get("id").asString();
    Path device = Path.of(first.get("activation").get("devicePath").asString());
    // the snapshot is the three layers applied in order: layer 3's file, layer 1's whiteout'd motd
    assertThat(device.resolve("home/www/public/index.html"))
        .hasContent("<h1>hello from the web sample</h1>");
    assertThat(device.resolve("etc/motd")).doesNotExist();
    assertThat(Files.readSymbolicLink(device.resolve("bin/sh"))).isEqualTo(Path.of("/usr/bin/sh"));

    JsonNode again = json(cli("process-image", "--s3-key", "images/web/", "-o", "json"));
    assertThat(again.get("alreadyDone").asBoolean()).isTrue();
    assertThat(again.get("blobsDownloaded").asInt()).isZero();
    assertThat(again.get("bytesDownloaded").asLong()).isZero();
    assertThat(again.get("volumesBuilt").asInt()).isZero();
    assertThat(again.get("activation").get("id").asString()).isEqualTo(activationId);

    JsonNode status = json(cli("status", "-o", "json"));
    assertThat(status.get("database").get("location").asString())
        .isEqualTo(data.resolve("thinimage.db").toString());
    assertThat(status.get("database").get("schemaVersion").asInt()).isPositive();
    JsonNode counts = status.get("counts");
    assertThat(counts.get("images").asLong()).isEqualTo(1);
    assertThat(counts.get("blobs").asLong()).isEqualTo(3);
    assertThat(counts.get("chainVolumes").asLong()).isEqualTo(3);
    assertThat(counts.get("activeActivations").asLong()).isEqualTo(1);
    assertThat(status.get("pool").get("driver").asString()).isEqualTo("directory");
    assertThat(status.get("activeRuns")).isEmpty();

    Result statusText = cli("status");
    assertThat(statusText.code()).isZero();
    assertThat(statusText.out())
        .contains("Database:       " + data.resolve("thinimage.db"))
        .contains("1 images (1 ready), 3 blobs, 3 chain volumes, 1 active snapshots");

    Result images = cli("list-images");
    assertThat(images.code()).isZero();
    assertThat(images.out()).startsWith("IMAGE ID").contains(imageId, "images/web/", "ready");
    JsonNode imagesJson = json(cli("list-images", "-o", "json"));
    assertThat(imagesJson.get("count").asInt()).isEqualTo(1);
    assertThat(imagesJson.get("images").get(0).get("layers")).hasSize(3);

    Result snaps = cli("list-snapshots");
    assertThat(snaps.code()).isZero();
    assertThat(snaps.out()).contains(activationId, device.toString(), "active");
    JsonNode snapsJson = json(cli("list-snapshots", "-o", "json"));
    assertThat(snapsJson.get("count").asInt()).isEqualTo(1);
    assertThat(snapsJson.get("snapshots").get(0).get("devicePath").asString())
        .isEqualTo(device.toString());

    Result gc = cli("gc");
    assertThat(gc.code()).as(gc.toString()).isZero();
    assertThat(gc.out()).isEqualTo("Nothing to collect.\n");
    JsonNode gcJson = json(cli("gc", "--dry-run", "-o", "json"));
    assertThat(gcJson.get("applied").asBoolean()).isFalse();
    assertThat(gcJson.get("findings")).isEmpty();

    Path backup = tmp.resolve("backup.db");
    Result b = cli("backup", "--to", backup.toString());
    assertThat(b.code()).as(b.toString()).isZero();
    assertThat(b.out()).contains("Backup written to " + backup);
    assertThat(Files.size(backup)).isPositive();
    Result again2 = cli("backup", "--to", backup.toString());
    assertThat(again2.code()).as("never overwrites").isNotZero();
    assertThat(again2.err().lines()).hasSize(1);
  }

  @Test
  void familiesSharingBaseLayersStoreThemOnce() throws Exception {
    json(cli("process-image", "--s3-key", "images/web/", "-o", "json"));
    JsonNode worker = json(cli("process-image", "--s3-key", "images/worker/", "-o", "json"));
    // keys differ, so their bytes are read to learn the digest; they are then stored once
    assertThat(worker.get("volumesBuilt").asInt()).isEqualTo(1);
    JsonNode counts = json(cli("status", "-o", "json")).get("counts");
    assertThat(counts.get("images").asLong()).isEqualTo(2);
    assertThat(counts.get("blobs").asLong()).isEqualTo(4);
    assertThat(counts.get("chainVolumes").asLong()).isEqualTo(4);
    try (Stream<Path> blobs = Files.walk(data.resolve("blobs"))) {
      assertThat(
              blobs
                  .filter(Files::isRegularFile)
                  .filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")))
          .hasSize(4);
    }
    Path workerRoot = Path.of(worker.get("activation").get("devicePath").asString());
    assertThat(workerRoot.resolve("home/worker/jobs.toml")).exists();
    assertThat(workerRoot.resolve("home/www")).doesNotExist();
  }

  @Test
  void errorsAreOneLineWithTheirExitCodes() throws Exception {
    Result badFlag = cli("list-images", "--frobnicate");
    assertThat(badFlag.code()).isEqualTo(2);
    assertThat(badFlag.err().lines()).hasSize(1);

    Result missing = cli("process-image", "--s3-key", "images/nope/");
    assertThat(missing.code()).as(missing.toString()).isEqualTo(3);
    assertThat(missing.err().lines()).hasSize(1);
    assertThat(missing.err()).startsWith("thinimage: not-found [").doesNotContain("\tat ");
    Result missingKey = cli("process-image", "--s3-key", "images/web/9.tar");
    assertThat(missingKey.code()).as(missingKey.toString()).isEqualTo(3);

    Result both = cli("gc", "--dry-run", "--force");
    assertThat(both.code()).isEqualTo(2);
  }

  @Test
  void aHostileLayerExitsFourAndLeavesNothingBehind() throws Exception {
    Result evil = cli("process-image", "--s3-key", "images/evil/");
    assertThat(evil.code()).as(evil.toString()).isEqualTo(4);
    assertThat(evil.err().lines()).hasSize(1);
    assertThat(evil.err()).startsWith("thinimage: invalid-input [").doesNotContain("\tat ");
    assertThat(evil.out()).isEmpty();

    assertThat(json(cli("list-snapshots", "--all", "-o", "json")).get("snapshots"))
        .allSatisfy(a -> assertThat(a.get("active").asBoolean()).isFalse());
    JsonNode image = json(cli("list-images", "-o", "json")).get("images").get(0);
    assertThat(image.get("state").asString()).isEqualTo("failed");
    assertThat(image.get("failureCode").isNull()).isFalse();
    try (Stream<Path> volumes = Files.list(data.resolve("pool/volumes"))) {
      assertThat(volumes).as("no half-built volume").isEmpty();
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> p.getFileName().toString().equals("escape"))).isEmpty();
    }
    Result status = cli("status");
    assertThat(status.out()).contains("Recent failures:").contains("layer-path-escape");
  }

  @Test
  void optionsComeFromThinimageEnvironmentVariables() throws Exception {
    Result r =
        CliProcess.run(
            Map.of(
                "THINIMAGE_DATA_DIR",
                data.toString(),
                "THINIMAGE_STORE",
                store.toUri().toString(),
                "THINIMAGE_POOL_DRIVER",
                "directory",
                "THINIMAGE_OUTPUT",
                "json"),
            List.of("list-images"));
    assertThat(json(r).get("count").asInt()).isZero();
    assertThat(data.resolve("thinimage.db")).exists();
    assertThat(data.resolve("logs/thinimage.log")).exists();
  }

  @Test
  void theDemoScriptRunsTheMainJobOnTheSampleBucket() throws Exception {
    Path repo = Path.of(System.getProperty("thinimage.samples", "../samples")).getParent();
    Result r =
        CliProcess.exec(
            List.of("bash", repo.resolve("bin/demo").toString(), "minimal"),
            Map.of("THINIMAGE_DEMO_DIR", tmp.resolve("demo").toString()),
            repo);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Image processed successfully.", "IMAGE ID", "SNAPSHOT ID");
  }
}
