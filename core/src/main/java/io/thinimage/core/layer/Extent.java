package io.thinimage.core.layer;

/**
 * One data region of a sparse file: {@code length} bytes at {@code offset}; everything between
 * extents is a hole (zeros that take no space where the filesystem can keep holes).
 *
 * @param offset where the data starts in the file, at least 0
 * @param length how many bytes of data, at least 1
 */
public record Extent(long offset, long length) {
  public Extent {
    if (offset < 0 || length < 1 || offset + length < 0) {
      throw new IllegalArgumentException("bad extent " + offset + "+" + length);
    }
  }

  /** The offset just past the data. */
  public long end() {
    return offset + length;
  }
}
