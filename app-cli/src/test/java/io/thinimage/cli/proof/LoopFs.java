package io.thinimage.cli.proof;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small ext4 filesystem in a file, loop-mounted on a directory, to run the product out of disk
 * space for real (ENOSPC from the kernel, not a simulated exception). Needs root; {@link #tryMount}
 * returns null where mounting is not possible, so callers can skip.
 */
final class LoopFs implements AutoCloseable {
  private final Path mountPoint;
  private final Path ballast;

  private LoopFs(Path mountPoint) {
    this.mountPoint = mountPoint;
    this.ballast = mountPoint.resolve("ballast");
  }

  /**
   * Makes an ext4 of {@code mib} MiB in {@code image} and mounts it on {@code mountPoint} (created
   * if absent), or returns null if this host cannot (not root, no loop devices, no mkfs.ext4).
   */
  static LoopFs tryMount(Path image, Path mountPoint, int mib)
      throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      return null;
    }
    Files.createDirectories(mountPoint);
    try (var ch =
        java.nio.channels.FileChannel.open(
            image,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.position((long) mib << 20);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}));
    }
    if (exec("mkfs.ext4", "-q", "-F", image.toString()) != 0
        || exec("mount", "-o", "loop", image.toString(), mountPoint.toString()) != 0) {
      return null;
    }
    return new LoopFs(mountPoint);
  }

  /** Bytes free for an unprivileged writer right now. */
  long usable() throws IOException {
    return Files.getFileStore(mountPoint).getUsableSpace();
  }

  /** Fills the filesystem with a ballast file until only about {@code leave} bytes are free. */
  void fillLeaving(long leave) throws IOException {
    long fill = usable() - leave;
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(ballast)) {
      for (long done = 0; done < fill; done += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, fill - done));
      }
    }
  }

  /** Deletes the ballast: the operator frees space. */
  void freeBallast() throws IOException {
    Files.deleteIfExists(ballast);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (exec("umount", mountPoint.toString()) != 0) {
      // something still holds it (a child killed mid-write): detach it so the temp dir can go
      exec("umount", "-l", mountPoint.toString());
    }
  }

  private static int exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", cmd) + ": " + out.strip());
    }
    return p.exitValue();
  }
}
