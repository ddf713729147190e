package io.thinimage.adapters.s3;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on an S3 bucket (or any S3-compatible server) through the AWS SDK v2 sync
 * client.
 *
 * <p>Resilience4j owns every retry (the SDK's own are off, so nothing retries twice or hides a
 * fault): exponential backoff with jitter, bounded attempts and elapsed time, on 5xx, 408, 429,
 * connection failures and I/O errors mid-body; never on another 4xx. A download resumes after a
 * failed attempt with {@code Range: bytes=<bytes on disk>-}, always pinned with {@code If-Match} to
 * the listed ETag, so two versions of an object are never mixed.
 *
 * <p>Keys in {@link RemoteObject}s are relative to the configured prefix. Thread-safe.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
  private static final int BUFFER = 256 * 1024;

  /** Most keys a family prefix may hold; real families have a handful of layers. */
  public static final int MAX_FAMILY_KEYS = 10_000;

  private final S3Client s3;
  private final S3Options options;
  private final Clock clock;
  private final RetryRegistry registry;
  private final Retry retry;
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong objectGets = new AtomicLong();
  private volatile int familyKeyLimit = MAX_FAMILY_KEYS;

  /**
   * A store on a client built from {@code options}: anonymous if {@code options.anonymous()},
   * otherwise the SDK's default credentials chain.
   */
  public static S3ObjectStore create(S3Options options) {
    AwsCredentialsProvider credentials =
        options.anonymous()
            ? AnonymousCredentialsProvider.create()
            : DefaultCredentialsProvider.builder().build();
    return create(options, credentials);
  }

  /** A store on a client built from {@code options} with explicit credentials. */
  public static S3ObjectStore create(S3Options options, AwsCredentialsProvider credentials) {
    return new S3ObjectStore(buildClient(options, credentials), options, Clock.systemUTC());
  }

  /**
   * A store on a caller-built client. The client's own retries should be off ({@link
   * AwsRetryStrategy#doNotRetry()}), or faults are retried twice and resumes become full GETs.
   */
  public S3ObjectStore(S3Client s3, S3Options options, Clock clock) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    RetryConfig config =
        RetryConfig.custom()
            .maxAttempts(options.maxAttempts())
            .intervalFunction(
                IntervalFunction.ofExponentialRandomBackoff(
                    options.initialBackoff(), 2.0, 0.5, options.maxBackoff()))
            .retryOnException(S3Errors::retryable)
            .failAfterMaxAttempts(false)
            .build();
    this.registry = RetryRegistry.of(config);
    this.retry = registry.retry("s3-" + options.bucket());
    retry
        .getEventPublisher()
        .onRetry(
            e -> {
              retries.incrementAndGet();
              // INFO, not WARN: a retry is routine and goes to the log file; a terminal shows
              // only the typed error once the retries are spent (one line, not one per attempt).
              LOG.atInfo()
                  .addKeyValue("bucket", options.bucket())
                  .addKeyValue("attempt", e.getNumberOfRetryAttempts())
                  .addKeyValue("waitMs", e.getWaitInterval().toMillis())
                  .log("S3 call failed, retrying: {}", String.valueOf(e.getLastThrowable()));
            });
  }

  /** Builds the SDK client the way this adapter needs it (SDK retries off, timeouts set). */
  public static S3Client buildClient(S3Options options, AwsCredentialsProvider credentials) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(options.region()))
            .forcePathStyle(options.pathStyle())
            .credentialsProvider(credentials)
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .connectionTimeout(options.connectTimeout())
                    .socketTimeout(options.readTimeout())
                    .maxConnections(32))
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    if (options.endpoint() != null) {
      b.endpointOverride(options.endpoint());
    }
    return b.build();
  }

  /** The retry in force, for binding metrics (resilience4j-micrometer) and for inspection. */
  public Retry retry() {
    return retry;
  }

  /** The registry holding {@link #retry()}, for {@code TaggedRetryMetrics.ofRetryRegistry}. */
  public RetryRegistry retryRegistry() {
    return registry;
  }

  /** Retries performed so far (each logged at WARN). */
  public long retryCount() {
    return retries.get();
  }

  /** Object GET requests sent so far (attempts, not downloads). */
  public long getRequestCount() {
    return objectGets.get();
  }

  /** Lowers the family key limit (tests exercise it without 10,000 objects). */
  void familyKeyLimit(int limit) {
    this.familyKeyLimit = limit;
  }

  /** The configuration in force. */
  public S3Options options() {
    return options;
  }

  @Override
  public String describe() {
    String prefix = options.prefix();
    return "s3://"
        + options.bucket()
        + (prefix.isEmpty() ? "" : "/" + prefix.substring(0, prefix.length() - 1));
  }

  @Override
  public List<RemoteObject> resolve(ImageReference reference) {
    if (reference.isFamily()) {
      List<RemoteObject> listed = listUpTo(reference.value(), familyKeyLimit);
      Map<String, RemoteObject> byKey = new HashMap<>();
      List<String> keys = new ArrayList<>();
      for (RemoteObject o : listed) {
        if (o.key().equals(reference.value())) {
          continue; // a "folder" marker object some tools create; not a layer
        }
        byKey.put(o.key(), o);
        keys.add(o.key());
      }
      return reference.orderFamilyKeys(keys).stream().map(byKey::get).toList();
    }
    String key = reference.value();
    HeadObjectResponse head =
        withRetry(
            where(key),
            () ->
                s3.headObject(
                    HeadObjectRequest.builder()
                        .bucket(options.bucket())
                        .key(options.prefix() + key)
                        .overrideConfiguration(o -> o.apiCallAttemptTimeout(attemptTimeout()))
                        .build()));
    return List.of(new RemoteObject(key, head.contentLength(), unquote(head.eTag())));
  }

  @Override
  public List<RemoteObject> list(String prefix) {
    return listUpTo(prefix, Integer.MAX_VALUE);
  }

  /**
   * Lists at most {@code limit} keys under {@code prefix}; one more fails with INVALID_INPUT {@code
   * family-too-large} (a hostile or mistaken prefix must not page through a whole bucket).
   */
  List<RemoteObject> listUpTo(String prefix, int limit) {
    Objects.requireNonNull(prefix, "prefix");
    List<RemoteObject> out = new ArrayList<>();
    String token = null;
    do {
      String continuation = token;
      ListObjectsV2Response page =
          withRetry(
              where(prefix),
              () ->
                  s3.listObjectsV2(
                      ListObjectsV2Request.builder()
                          .bucket(options.bucket())
                          .prefix(options.prefix() + prefix)
                          .maxKeys(options.maxKeys())
                          .continuationToken(continuation)
                          .overrideConfiguration(o -> o.apiCallAttemptTimeout(attemptTimeout()))
                          .build()));
      if (out.size() + page.contents().size() > limit) {
        throw ThinImageException.invalid(
            "family-too-large",
            "more than " + limit + " keys under " + where(prefix) + "; not an image family");
      }
      for (S3Object o : page.contents()) {
        String relative = o.key().substring(options.prefix().length());
        out.add(new RemoteObject(relative, o.size(), unquote(o.eTag())));
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
    return List.copyOf(out);
  }

  @Override
  public Download download(
      RemoteObject object, Path partialFile, long maxBytes, LongConsumer progress) {
    Objects.requireNonNull(progress, "progress");
    if (object.size() > maxBytes) {
      throw ThinImageException.invalid(
          "object-too-large",
          where(object.key()) + " is " + object.size() + " bytes, over the cap of " + maxBytes);
    }
    try (PartialFile file = PartialFile.open(partialFile, object.size())) {
      if (file.length() == object.size()) {
        return file.finish(0); // complete from an earlier call: nothing to fetch
      }
      AtomicLong transferred = new AtomicLong();
      try {
        withRetry(
            where(object.key()),
            () -> {
              fetchRest(object, file, transferred, progress);
              return null;
            });
      } catch (ThinImageException e) {
        if (e.code().equals("object-changed")) {
          file.reset();
        } else {
          file.sync(); // keep the prefix for the next resume
        }
        throw e;
      }
      return file.finish(transferred.get());
    }
  }

  /** One attempt: GET the rest of the object (pinned to its ETag) and append it. */
  private void fetchRest(
      RemoteObject object, PartialFile file, AtomicLong transferred, LongConsumer progress)
      throws IOException {
    long offset = file.length();
    GetObjectRequest.Builder request =
        GetObjectRequest.builder()
            .bucket(options.bucket())
            .key(options.prefix() + object.key())
            .ifMatch(quote(object.etag()));
    if (offset > 0) {
      request.range("bytes=" + offset + "-");
    }
    objectGets.incrementAndGet();
    try (ResponseInputStream<GetObjectResponse> body = s3.getObject(request.build())) {
      GetObjectResponse head = body.response();
      if (head.eTag() != null && !unquote(head.eTag()).equals(object.etag())) {
        body.abort(); // a server that ignored If-Match
        throw changed(object, "the server sent ETag " + head.eTag());
      }
      if (offset > 0 && head.contentRange() == null) {
        // The server ignored the Range and sends the whole object: start the file over.
        file.reset();
        offset = 0;
      }
      long expected = object.size() - offset;
      Long contentLength = head.contentLength();
      if (contentLength != null && contentLength != expected) {
        body.abort();
        throw changed(
            object, "expected " + expected + " bytes from " + offset + ", got " + contentLength);
      }
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = body.read(buf)) >= 0) {
        if (file.length() + n > object.size()) {
          // The hard cap: never write past the listed size (which is within maxBytes).
          body.abort();
          throw changed(object, "more bytes than the listed " + object.size());
        }
        file.append(buf, 0, n);
        transferred.addAndGet(n);
        progress.accept(file.length());
      }
      if (file.length() != object.size()) {
        throw new IOException(
            "premature end of body: " + file.length() + " of " + object.size() + " bytes");
      }
    }
  }

  /** Runs {@code call} under the retry policy, bounded in elapsed time, with typed failures. */
  private <T> T withRetry(String what, CheckedSupplier<T> call) {
    long start = clock.millis();
    long deadline = options.maxElapsed().toMillis();
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<Throwable> last = new AtomicReference<>();
    CheckedSupplier<T> bounded =
        () -> {
          if (attempts.incrementAndGet() > 1 && clock.millis() - start > deadline) {
            // Out of time: surface the last real failure, typed, which is not retried.
            throw S3Errors.translate(last.get(), what, attempts.get() - 1);
          }
          try {
            return call.get();
          } catch (Throwable t) {
            last.set(t);
            throw t;
          }
        };
    try {
      return retry.executeCheckedSupplier(bounded);
    } catch (Error e) {
      throw e;
    } catch (Throwable t) {
      throw S3Errors.translate(t, what, attempts.get());
    }
  }

  private Duration attemptTimeout() {
    return options.attemptTimeout();
  }

  private String where(String key) {
    return describe() + "/" + key;
  }

  private ThinImageException changed(RemoteObject object, String detail) {
    return new ThinImageException(
        ErrorKind.INVALID_INPUT,
        "object-changed",
        where(object.key()) + " changed since it was listed: " + detail);
  }

  private static String quote(String etag) {
    return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
  }

  private static String unquote(String etag) {
    if (etag == null) {
      return "";
    }
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1)
        : etag;
  }

  @Override
  public void close() {
    s3.close();
  }
}
