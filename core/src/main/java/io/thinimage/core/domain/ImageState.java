package io.thinimage.core.domain;

/** Where an image is in its life. */
public enum ImageState {
  /** Known, layers listed, not all layers downloaded and unpacked yet. */
  PENDING,
  /** Every chain volume is built; the image can be activated. */
  READY,
  /** The last attempt failed permanently; the reason is on the image. */
  FAILED
}
