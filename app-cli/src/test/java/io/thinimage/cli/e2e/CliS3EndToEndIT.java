package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import io.thinimage.cli.support.LoopbackS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jar end to end against a real S3 server on loopback (S3Proxy, anonymous access, like the
 * public bucket) holding the sample bucket: the s3:// path of process-image and analyze-s3.
 */
class CliS3EndToEndIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String BUCKET = "samples";

  static LoopbackS3 proxy;

  @TempDir Path data;

  @BeforeAll
  static void server() throws Exception {
    proxy =
        LoopbackS3.start(
            Files.createTempDirectory(Path.of("target").toAbsolutePath(), "s3proxy-"), 0);
    proxy.uploadSamples(BUCKET);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  Result cli(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--data-dir",
            data.toString(),
            "--bucket",
            BUCKET,
            "--s3-endpoint",
            proxy.endpoint(),
            "--anonymous",
            "--pool-driver",
            "directory"));
    return CliProcess.run(Map.of(), all);
  }

  static JsonNode json(Result r) {
    assertThat(r.code()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void processFromS3AndRerunWithoutAnyGet() throws Exception {
    JsonNode first = json(cli("process-image", "--s3-key", "images/web/", "-o", "json"));
    assertThat(first.get("image").get("store").asString()).startsWith("s3://" + BUCKET);
    assertThat(first.get("blobsDownloaded").asInt()).isEqualTo(3);
    assertThat(first.get("volumesBuilt").asInt()).isEqualTo(3);
    Path root = Path.of(first.get("activation").get("devicePath").asString());
    assertThat(root.resolve("etc/web.conf")).exists();

    JsonNode again = json(cli("process-image", "--s3-key", "images/web/", "-o", "json"));
    assertThat(again.get("alreadyDone").asBoolean()).isTrue();
    assertThat(again.get("bytesDownloaded").asLong()).isZero();
    assertThat(again.get("activation").get("id").asString())
        .isEqualTo(first.get("activation").get("id").asString());

    json(cli("process-image", "--s3-key", "images/worker/", "-o", "json"));
    JsonNode counts = json(cli("status", "-o", "json")).get("counts");
    assertThat(counts.get("blobs").asLong()).isEqualTo(4);
    assertThat(counts.get("chainVolumes").asLong()).isEqualTo(4);

    Result missing = cli("process-image", "--s3-key", "images/web/7.tar");
    assertThat(missing.code()).as(missing.toString()).isEqualTo(3);
  }

  @Test
  void analyzeSeesTheSharedBaseLayersByEtag() throws Exception {
    JsonNode a = json(cli("analyze-s3", "images/", "-o", "json"));
    assertThat(a.get("objects").asInt()).isEqualTo(7);
    // web/1 = worker/1 = minimal/1 and web/2 = worker/2: 4 distinct blobs of 7 objects
    assertThat(a.get("uniqueBlobs").asInt()).isEqualTo(4);
    assertThat(a.get("shared")).hasSize(2);
    assertThat(a.get("chainVolumes").asInt()).isEqualTo(4);
    assertThat(a.get("recommendation").get("dataBytes").asLong()).isEqualTo(2L << 30);
    Result text = cli("analyze-s3");
    assertThat(text.code()).isZero();
    assertThat(text.out()).contains("Unique blobs:   4", "SHARED BLOB", "Recommended pool:");
  }
}
