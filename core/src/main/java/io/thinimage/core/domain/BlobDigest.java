package io.thinimage.core.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A sha256 content digest, {@code sha256:<64 lower-case hex>}. */
public record BlobDigest(String hex) implements Comparable<BlobDigest> {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public BlobDigest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw ThinImageException.invalid("bad-digest", "not a sha256 hex digest: " + hex);
    }
  }

  /** Parses {@code sha256:<hex>} or bare hex. */
  public static BlobDigest parse(String text) {
    String s = text.startsWith("sha256:") ? text.substring("sha256:".length()) : text;
    return new BlobDigest(s);
  }

  public static BlobDigest of(byte[] rawSha256) {
    return new BlobDigest(HexFormat.of().formatHex(rawSha256));
  }

  /** sha256 of the given text's UTF-8 bytes. */
  public static BlobDigest sha256(String text) {
    return of(newSha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** A short form for tables: the first 12 hex characters. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public int compareTo(BlobDigest o) {
    return hex.compareTo(o.hex);
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }
}
