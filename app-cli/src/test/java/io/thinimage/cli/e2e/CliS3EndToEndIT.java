package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jar end to end against a real S3 server on loopback (S3Proxy, anonymous access, like the
 * public bucket) holding the sample bucket: the s3:// path of process-image and analyze-s3.
 */
class CliS3EndToEndIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String BUCKET = "samples";

  static S3Proxy proxy;

  @TempDir Path data;

  @BeforeAll
  static void server() throws Exception {
    // the filesystem backend keeps metadata in xattrs: keep it on the build's disk, not tmpfs
    Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "s3proxy-");
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", base.toString());
    BlobStore store = BlobStores.create("filesystem", props);
    proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.NONE, "", "")
            .ignoreUnknownHeaders(true)
            .stopTimeout(0)
            .build();
    proxy.start();
    for (int i = 0; i < 1000 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(10);
    }
    assertThat(proxy.getState()).isEqualTo("STARTED");
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort()))
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .build()) {
      s3.createBucket(b -> b.bucket(BUCKET));
      Path samples = Path.of(System.getProperty("thinimage.samples", "../samples"));
      try (Stream<Path> files = Files.walk(samples.resolve("images"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String key = samples.relativize(f).toString();
          s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromFile(f));
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.stop();
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
            "http://127.0.0.1:" + proxy.getPort(),
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
