package io.thinimage.adapters.fs;

import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.layer.RootFilesystemFactory;
import java.nio.file.Path;

/** Opens a {@link NioRootFilesystem} on a mounted volume's directory. */
public final class NioRootFilesystemFactory implements RootFilesystemFactory {

  @Override
  public RootFilesystem open(Path root) {
    return new NioRootFilesystem(root);
  }
}
