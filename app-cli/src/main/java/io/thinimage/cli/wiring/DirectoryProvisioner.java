package io.thinimage.cli.wiring;

import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code setup-pool} for the directory driver: the pool is just directories under the data dir. */
final class DirectoryProvisioner implements PoolProvisioner {
  private final CliConfig config;

  DirectoryProvisioner(CliConfig config) {
    this.config = config;
  }

  @Override
  public Outcome provision(Request request) {
    List<String> details = new ArrayList<>();
    boolean created = false;
    for (Path dir :
        List.of(config.dataDir(), config.poolDir(), config.blobDir(), config.mountRoot())) {
      boolean existed = Files.isDirectory(dir);
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new ThinImageException(
            ErrorKind.INVALID_INPUT, "data-dir-unusable", "cannot create " + dir + ": " + e, e);
      }
      created |= !existed;
      details.add((existed ? "exists   " : "created  ") + dir);
    }
    details.add("the directory driver needs no devicemapper pool; sizes do not apply");
    return new Outcome("directory", created ? "created" : "already-present", details);
  }
}
