package io.thinimage.core.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator asks for: either a family prefix ({@code images/golang/}, every numbered {@code
 * <n>.tar} key under it, applied in numeric order) or a single key ({@code images/golang/2.tar}, a
 * one-layer image, the seed's {@code --s3-key} mode).
 */
public record ImageReference(String value) {
  private static final Pattern LAYER_NAME = Pattern.compile("([0-9]{1,6})\\.tar");
  private static final int MAX_LENGTH = 1024;

  public ImageReference {
    if (value == null || value.isBlank()) {
      throw ThinImageException.invalid("bad-reference", "an image reference must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw ThinImageException.invalid("bad-reference", "image reference longer than 1024");
    }
    if (value.startsWith("/")) {
      throw ThinImageException.invalid(
          "bad-reference",
          "image reference must be a key or prefix, not an absolute path: " + value);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw ThinImageException.invalid(
            "bad-reference", "image reference contains a control character");
      }
    }
    String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    for (String component : trimmed.split("/", -1)) {
      if (component.isEmpty() || component.equals(".") || component.equals("..")) {
        throw ThinImageException.invalid(
            "bad-reference", "image reference has an empty, '.' or '..' component: " + value);
      }
    }
  }

  /** A family prefix names all its numbered layers; anything else is a single key. */
  public boolean isFamily() {
    return value.endsWith("/");
  }

  /** The family name ({@code golang} for {@code images/golang/} or {@code images/golang/2.tar}). */
  public String family() {
    String trimmed = isFamily() ? value.substring(0, value.length() - 1) : value;
    int slash = trimmed.lastIndexOf('/');
    if (isFamily()) {
      return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }
    String parent = slash < 0 ? "" : trimmed.substring(0, slash);
    int p = parent.lastIndexOf('/');
    return parent.isEmpty() ? trimmed : parent.substring(p + 1);
  }

  /**
   * Orders the keys found under a family prefix numerically ({@code 10} after {@code 2}) and checks
   * them: every key must be {@code <prefix><n>.tar}, numbers start at 1 with no gap and no
   * duplicate (e.g. {@code 01.tar} and {@code 1.tar}). Errors name the offending keys.
   */
  public List<String> orderFamilyKeys(List<String> keys) {
    if (!isFamily()) {
      throw new IllegalStateException("not a family reference: " + value);
    }
    var byNumber = new TreeMap<Integer, String>();
    var foreign = new ArrayList<String>();
    var duplicates = new ArrayList<String>();
    for (String key : keys) {
      if (!key.startsWith(value)) {
        foreign.add(key);
        continue;
      }
      Matcher m = LAYER_NAME.matcher(key.substring(value.length()));
      if (!m.matches()) {
        foreign.add(key);
        continue;
      }
      int n = Integer.parseInt(m.group(1));
      String previous = byNumber.putIfAbsent(n, key);
      if (previous != null) {
        duplicates.add(previous + " and " + key);
      }
    }
    if (!foreign.isEmpty()) {
      foreign.sort(Comparator.naturalOrder());
      throw ThinImageException.invalid(
          "family-foreign-keys",
          "keys under " + value + " that are not <n>.tar layers: " + String.join(", ", foreign));
    }
    if (!duplicates.isEmpty()) {
      throw ThinImageException.invalid(
          "family-duplicate-layers",
          "layer numbers used twice under " + value + ": " + String.join("; ", duplicates));
    }
    if (byNumber.isEmpty()) {
      throw ThinImageException.notFound("family-empty", "no layers found under " + value);
    }
    int expected = 1;
    for (int n : byNumber.keySet()) {
      if (n != expected) {
        throw ThinImageException.invalid(
            "family-gap",
            "layers under "
                + value
                + " must be numbered 1.."
                + byNumber.size()
                + "; missing "
                + expected
                + (n == 0 ? " (0.tar is not a layer number)" : ""));
      }
      expected++;
    }
    return List.copyOf(byNumber.values());
  }

  @Override
  public String toString() {
    return value;
  }
}
