package io.thinimage.adapters.directory;

import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.testing.BlockDevicePoolContract;
import java.nio.file.Path;

/** The pool contract on the directory pool with real files and a real {@code cp}. */
class DirectoryPoolContractTest extends BlockDevicePoolContract {
  @Override
  protected BlockDevicePool newPool(Path dir) {
    return new DirectoryPool(dir.resolve("pool"));
  }
}
