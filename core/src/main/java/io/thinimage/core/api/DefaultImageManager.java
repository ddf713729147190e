package io.thinimage.core.api;

/** The manager wired from ports. (Being written.) */
abstract class DefaultImageManager implements ImageManager {
  static ImageManager open(ImageManagerBuilder b) {
    throw new UnsupportedOperationException("not yet" + b);
  }
}
