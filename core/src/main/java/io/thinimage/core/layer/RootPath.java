package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A cleaned path relative to a {@link RootFilesystem}'s root: a list of plain names, none of them
 * empty, {@code .}, {@code ..}, or containing {@code /} or NUL. The empty list is the root itself.
 * Every path the layer rules hand to the seam is a {@code RootPath}, so the seam never sees a name
 * that could climb out of the root lexically.
 */
public record RootPath(List<String> names) {

  /** The root directory itself. */
  public static final RootPath ROOT = new RootPath(List.of());

  /** The longest single name Linux accepts (NAME_MAX), in bytes. */
  public static final int MAX_NAME_BYTES = 255;

  public RootPath {
    names = List.copyOf(names);
    for (String n : names) {
      if (n.isEmpty() || n.equals(".") || n.equals("..") || n.indexOf('/') >= 0) {
        throw new IllegalArgumentException("not a plain path name: '" + n + "'");
      }
      if (n.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("NUL in path name");
      }
    }
  }

  /**
   * Cleans a tar entry name (or hardlink target) as if it were rooted at {@code /}: a leading
   * {@code /}, {@code ./} components and repeated slashes are dropped; a {@code ..} component, a
   * NUL byte or an empty name is refused with INVALID_INPUT. {@code a..b} is an ordinary name.
   *
   * @param name the raw name from the archive
   * @param what what the name is, for the error message (e.g. the entry name)
   */
  public static RootPath clean(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw ThinImageException.invalid("layer-path-empty", "empty path in " + what);
    }
    if (name.indexOf('\0') >= 0) {
      throw ThinImageException.invalid("layer-path-nul", "NUL byte in path of " + what);
    }
    List<String> out = new ArrayList<>();
    for (String part : name.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw ThinImageException.invalid(
            "layer-path-escape", "'..' component in path of " + what + ": " + name);
      }
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw ThinImageException.invalid(
            "layer-name-too-long",
            "a name longer than " + MAX_NAME_BYTES + " bytes in path of " + what);
      }
      out.add(part);
    }
    return new RootPath(out);
  }

  /** Whether this is the root directory. */
  public boolean isRoot() {
    return names.isEmpty();
  }

  /** Number of names. */
  public int depth() {
    return names.size();
  }

  /** The last name; the root has none. */
  public String fileName() {
    if (isRoot()) {
      throw new IllegalStateException("the root has no name");
    }
    return names.get(names.size() - 1);
  }

  /** The containing directory; the root has none. */
  public RootPath parent() {
    if (isRoot()) {
      throw new IllegalStateException("the root has no parent");
    }
    return new RootPath(names.subList(0, names.size() - 1));
  }

  /** This path with one more name. */
  public RootPath resolve(String name) {
    List<String> n = new ArrayList<>(names.size() + 1);
    n.addAll(names);
    n.add(name);
    return new RootPath(n);
  }

  /** Whether {@code other} is this path or below it. */
  public boolean contains(RootPath other) {
    return other.names.size() >= names.size() && other.names.subList(0, names.size()).equals(names);
  }

  /** The path relative to the root, without a leading slash ("" for the root). */
  public String relative() {
    return String.join("/", names);
  }

  @Override
  public String toString() {
    return "/" + relative();
  }
}
