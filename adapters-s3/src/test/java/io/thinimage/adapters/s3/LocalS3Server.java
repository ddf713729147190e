package io.thinimage.adapters.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server (S3Proxy, filesystem backend under {@code target/}) on loopback, started once
 * per test JVM and shared; tests isolate themselves with a bucket each. Two endpoints serve the
 * same objects: one verifies SigV4 signatures (and refuses anonymous requests with 403), one
 * accepts anonymous requests.
 */
final class LocalS3Server {
  static final String ACCESS_KEY = "test-access-key";
  static final String SECRET_KEY = "test-secret-key";

  private static LocalS3Server instance;

  private final Path baseDir;
  private final BlobStore blobStore;
  private final S3Proxy signed;
  private final S3Proxy anonymous;
  private final S3Client admin;
  private final AtomicInteger buckets = new AtomicInteger();

  /** The shared server, started on first use and stopped when the JVM exits. */
  static synchronized LocalS3Server get() {
    if (instance == null) {
      instance = new LocalS3Server();
      Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "s3proxy-stop"));
    }
    return instance;
  }

  private LocalS3Server() {
    try {
      Files.createDirectories(Path.of("target"));
      // Under target/ (a real disk): the filesystem backend keeps metadata in xattrs.
      baseDir = Files.createTempDirectory(Path.of("target"), "s3proxy-").toAbsolutePath();
      Properties props = new Properties();
      props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
      blobStore = BlobStores.create("filesystem", props);
      signed = start(AuthenticationType.AWS_V2_OR_V4);
      anonymous = start(AuthenticationType.NONE);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start S3Proxy", e);
    }
    admin =
        S3Client.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .build();
  }

  private S3Proxy start(AuthenticationType auth) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(auth, ACCESS_KEY, SECRET_KEY)
            .ignoreUnknownHeaders(true)
            .stopTimeout(0)
            .build();
    proxy.start();
    for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(10);
    }
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
    }
    return proxy;
  }

  /** The signature-checking endpoint. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + signed.getPort());
  }

  /** The endpoint that accepts anonymous requests. */
  URI anonymousEndpoint() {
    return URI.create("http://127.0.0.1:" + anonymous.getPort());
  }

  /** A signed client straight to the server, for seeding and inspecting buckets. */
  S3Client admin() {
    return admin;
  }

  /** Creates a fresh, empty bucket (valid DNS name) and returns its name. */
  String newBucket(String hint) {
    String clean = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (clean.length() > 40) {
      clean = clean.substring(0, 40);
    }
    String name = "t" + buckets.incrementAndGet() + "-" + clean;
    admin.createBucket(b -> b.bucket(name));
    return name;
  }

  /** Puts (creates or replaces) an object. */
  void put(String bucket, String key, byte[] body) {
    admin.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
  }

  private void stop() {
    try {
      admin.close();
      signed.stop();
      anonymous.stop();
      blobStore.close();
    } catch (Exception e) {
      // best effort at JVM exit
    }
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
