package io.thinimage.cli.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line that runs the product in a child JVM, as the tests' killed and
 * restarted processes do. sqlite-jdbc unpacks its native library into the temp directory and only
 * deletes it at a clean exit, so every SIGKILL would leave one in {@code /tmp} for good: the child
 * JVMs unpack it under the build's {@code target/} instead.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** {@code java -Dorg.sqlite.tmpdir=target/sqlite-native} plus {@code options}. */
  public static List<String> java(String... options) {
    Path nativeDir = Path.of("target", "sqlite-native").toAbsolutePath().normalize();
    try {
      Files.createDirectories(nativeDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dorg.sqlite.tmpdir=" + nativeDir);
    cmd.addAll(List.of(options));
    return cmd;
  }
}
