package io.thinimage.adapters.s3;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Builds an {@link ObjectStore} from a store URI: {@code s3://BUCKET[/PREFIX]} or {@code
 * file:///DIR}.
 */
public final class ObjectStores {
  private ObjectStores() {}

  /** {@link #fromUri(String, UnaryOperator)} with the production S3 defaults. */
  public static ObjectStore fromUri(String uri) {
    return fromUri(uri, UnaryOperator.identity());
  }

  /**
   * Parses {@code uri} and builds the store. For {@code s3://}, {@code tune} adjusts the defaults
   * of {@link S3Options#forBucket} (region, endpoint, anonymous, retries); it is not used for
   * {@code file://}. Malformed URIs fail with INVALID_INPUT {@code bad-store-uri}.
   */
  public static ObjectStore fromUri(String uri, UnaryOperator<S3Options> tune) {
    Objects.requireNonNull(tune, "tune");
    Location location = parse(uri);
    if (location.directory() != null) {
      return new LocalDirectoryObjectStore(location.directory());
    }
    return S3ObjectStore.create(
        tune.apply(S3Options.forBucket(location.bucket(), location.prefix())));
  }

  /**
   * A parsed store URI: either a bucket and prefix, or a directory.
   *
   * @param bucket the bucket, or null for a directory
   * @param prefix the key prefix (may be empty), or null for a directory
   * @param directory the directory, or null for a bucket
   */
  public record Location(String bucket, String prefix, Path directory) {}

  /** Parses a store URI without building anything. */
  public static Location parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw bad(uri, "empty");
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw bad(uri, e.getMessage());
    }
    String scheme = parsed.getScheme();
    if ("s3".equals(scheme)) {
      String bucket = parsed.getAuthority();
      if (bucket == null || bucket.isBlank() || parsed.getQuery() != null) {
        throw bad(uri, "expected s3://BUCKET[/PREFIX]");
      }
      String path = parsed.getPath() == null ? "" : parsed.getPath();
      String prefix = path.startsWith("/") ? path.substring(1) : path;
      if (prefix.contains("//") || prefix.equals("..") || prefix.contains("../")) {
        throw bad(uri, "malformed prefix");
      }
      return new Location(bucket, prefix, null);
    }
    if ("file".equals(scheme)) {
      if ((parsed.getAuthority() != null && !parsed.getAuthority().isEmpty())
          || parsed.getPath() == null
          || !parsed.getPath().startsWith("/")) {
        throw bad(uri, "expected file:///ABSOLUTE/DIR");
      }
      return new Location(null, null, Path.of(parsed));
    }
    throw bad(uri, "the scheme must be s3:// or file://");
  }

  private static ThinImageException bad(String uri, String why) {
    return ThinImageException.invalid(
        "bad-store-uri", "bad object store URI '" + uri + "': " + why);
  }
}
