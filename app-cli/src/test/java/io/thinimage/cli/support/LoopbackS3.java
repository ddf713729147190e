package io.thinimage.cli.support;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server on loopback for the end-to-end tests: S3Proxy over a filesystem blob store,
 * anonymous access, path-style. Restartable on the same port and data (an outage, then recovery).
 */
public final class LoopbackS3 implements AutoCloseable {
  private final Path base;
  private final S3Proxy proxy;

  private LoopbackS3(Path base, S3Proxy proxy) {
    this.base = base;
    this.proxy = proxy;
  }

  /**
   * Starts a server keeping its objects under {@code base} (on the build's disk: the filesystem
   * backend keeps metadata in xattrs, which tmpfs may lack), on {@code port} (0 for any).
   */
  public static LoopbackS3 start(Path base, int port) throws Exception {
    Files.createDirectories(base);
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", base.toString());
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(BlobStores.create("filesystem", props))
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.NONE, "", "")
            .ignoreUnknownHeaders(true)
            .stopTimeout(0)
            .build();
    proxy.start();
    for (int i = 0; i < 1000 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(10);
    }
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
    }
    return new LoopbackS3(base, proxy);
  }

  /** The port it listens on. */
  public int port() {
    return proxy.getPort();
  }

  /** The endpoint for {@code --s3-endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  /** Where its objects live (to restart a server over the same data). */
  public Path base() {
    return base;
  }

  /** The CLI options that point at {@code bucket} on this server. */
  public List<String> cliOptions(String bucket) {
    return List.of("--bucket", bucket, "--s3-endpoint", endpoint(), "--anonymous");
  }

  /** Creates {@code bucket} and uploads the embedded sample bucket ({@code images/...}) into it. */
  public void uploadSamples(String bucket) throws Exception {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(URI.create(endpoint()))
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .build()) {
      s3.createBucket(b -> b.bucket(bucket));
      Path samples = Path.of(System.getProperty("thinimage.samples", "../samples"));
      try (Stream<Path> files = Files.walk(samples.resolve("images"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String key = samples.relativize(f).toString();
          s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(f));
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
