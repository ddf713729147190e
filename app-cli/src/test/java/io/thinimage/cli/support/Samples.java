package io.thinimage.cli.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The embedded sample bucket ({@code samples/images/<family>/<n>.tar}) for end-to-end tests. */
public final class Samples {
  private Samples() {}

  /** The sample bucket's root ({@code -Dthinimage.samples}, else {@code ../samples}). */
  public static Path root() {
    return Path.of(System.getProperty("thinimage.samples", "../samples"));
  }

  /** Copies every sample layer into {@code store} with the same keys ({@code images/...}). */
  public static void copyTo(Path store) throws IOException {
    Path samples = root();
    try (Stream<Path> files = Files.walk(samples.resolve("images"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path to = store.resolve(samples.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
  }
}
