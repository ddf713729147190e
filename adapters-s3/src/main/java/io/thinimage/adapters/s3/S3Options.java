package io.thinimage.adapters.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach a bucket and how hard to try.
 *
 * @param bucket the bucket name
 * @param prefix a key prefix every reference is relative to; empty for the bucket root, otherwise
 *     normalised to end with {@code /}
 * @param region the signing region (any value works against S3-compatible servers)
 * @param endpoint an endpoint override (an S3-compatible server), or {@code null} for AWS
 * @param pathStyle {@code bucket} in the path instead of the host name (needed on loopback)
 * @param anonymous unsigned requests (public buckets); otherwise the SDK's default credentials
 *     chain
 * @param maxAttempts attempts per request, first one included (Resilience4j owns all retries)
 * @param initialBackoff the wait before the second attempt; doubles each attempt, with jitter
 * @param maxBackoff the cap of a single wait
 * @param maxElapsed no new attempt starts after this much time since the first one
 * @param connectTimeout TCP connect timeout
 * @param readTimeout socket read timeout: a response head or body that stalls this long fails the
 *     attempt (which is then retried and, for a body, resumed)
 * @param attemptTimeout whole-attempt timeout for the small calls (list, head); not for GET bodies
 * @param maxKeys page size of ListObjectsV2 (1..1000)
 */
public record S3Options(
    String bucket,
    String prefix,
    String region,
    URI endpoint,
    boolean pathStyle,
    boolean anonymous,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxElapsed,
    Duration connectTimeout,
    Duration readTimeout,
    Duration attemptTimeout,
    int maxKeys) {

  public S3Options {
    Objects.requireNonNull(bucket, "bucket");
    if (bucket.isBlank() || bucket.contains("/")) {
      throw new IllegalArgumentException("bad bucket name: '" + bucket + "'");
    }
    prefix = normalisePrefix(prefix);
    Objects.requireNonNull(region, "region");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
    if (maxKeys < 1 || maxKeys > 1000) {
      throw new IllegalArgumentException("maxKeys must be in 1..1000");
    }
    requirePositive(initialBackoff, "initialBackoff");
    requirePositive(maxBackoff, "maxBackoff");
    requirePositive(maxElapsed, "maxElapsed");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(readTimeout, "readTimeout");
    requirePositive(attemptTimeout, "attemptTimeout");
  }

  /**
   * Production defaults for a bucket: us-east-1, virtual-hosted style, default credentials chain, 6
   * attempts with 200 ms doubling up to 10 s, at most 2 minutes of retrying, 10 s connect, 60 s
   * read, 30 s per list/head attempt, 1000 keys per page.
   */
  public static S3Options forBucket(String bucket, String prefix) {
    return new S3Options(
        bucket,
        prefix,
        "us-east-1",
        null,
        false,
        false,
        6,
        Duration.ofMillis(200),
        Duration.ofSeconds(10),
        Duration.ofMinutes(2),
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        1000);
  }

  /** This configuration with another bucket and prefix. */
  public S3Options withLocation(String bucket, String prefix) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  /** This configuration with another region. */
  public S3Options withRegion(String region) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  /** This configuration against an S3-compatible endpoint, optionally path-style. */
  public S3Options withEndpoint(URI endpoint, boolean pathStyle) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  /** This configuration with unsigned (anonymous) requests on or off. */
  public S3Options withAnonymous(boolean anonymous) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  /** This configuration with another retry budget. */
  public S3Options withRetries(
      int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  /** This configuration with other timeouts. */
  public S3Options withTimeouts(
      Duration connectTimeout, Duration readTimeout, Duration attemptTimeout) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  /** This configuration with another ListObjectsV2 page size. */
  public S3Options withMaxKeys(int maxKeys) {
    return new S3Options(
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        anonymous,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxElapsed,
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxKeys);
  }

  private static String normalisePrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.equals("/")) {
      return "";
    }
    String p = prefix.startsWith("/") ? prefix.substring(1) : prefix;
    return p.endsWith("/") ? p : p + "/";
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
