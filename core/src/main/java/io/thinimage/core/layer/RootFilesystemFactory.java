package io.thinimage.core.layer;

import java.nio.file.Path;

/** Opens the {@link RootFilesystem} seam on a mounted volume's directory. */
@FunctionalInterface
public interface RootFilesystemFactory {
  /** The seam rooted at {@code root}, an existing directory. */
  RootFilesystem open(Path root);
}
