package io.thinimage.daemon;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The life cycle of the admin socket file. A daemon killed with {@code kill -9} leaves its socket
 * behind and the next bind fails with "address in use"; a connect attempt tells a stale file (no
 * listener: connection refused) from a live daemon (refuse to start a second one).
 */
final class SocketGuard {
  /** {@code sun_path} is 108 bytes including the terminating NUL. */
  static final int MAX_PATH_BYTES = 107;

  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_SOCKET =
      PosixFilePermissions.fromString("rw-------");

  private SocketGuard() {}

  /**
   * Makes {@code socket} bindable: checks its length, creates its directory {@code 0700} if
   * missing, removes a stale socket file, and refuses (CONFLICT {@code daemon-already-running}) if
   * a live daemon answers on it.
   */
  static void prepare(Path socket) {
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw ThinImageException.invalid(
          "socket-path-too-long",
          "socket path is longer than " + MAX_PATH_BYTES + " bytes: " + socket);
    }
    Path dir = socket.getParent();
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
      }
      if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
        var attrs =
            Files.readAttributes(
                socket,
                java.nio.file.attribute.BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther()) {
          throw ThinImageException.conflict(
              "socket-path-occupied",
              socket + " exists and is not a socket; refusing to remove it");
        }
        if (isLive(socket)) {
          throw ThinImageException.conflict(
              "daemon-already-running", "a thinimage daemon is already listening on " + socket);
        }
        // Nobody listens: the file is left over from a daemon that was killed.
        Files.deleteIfExists(socket);
      }
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.INVALID_INPUT,
          "socket-dir-unusable",
          "cannot prepare the socket directory " + dir + ": " + e,
          e);
    }
  }

  /** Whether a process accepts connections on {@code socket}. */
  static boolean isLive(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Where to bind before publishing: a fresh {@code 0700} directory next to {@code socket}. A
   * socket is created with the process umask and is reachable from the moment it is bound, so it is
   * bound here, made {@code 0600}, then renamed into place ({@link #publish}): nobody can connect
   * through a window with looser permissions, even when the socket's directory is shared.
   */
  static Path staging(Path socket) {
    Path dir = socket.resolveSibling(".thinimage-" + ProcessHandle.current().pid());
    Path staged = dir.resolve("s");
    if (staged.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw ThinImageException.invalid(
          "socket-path-too-long", "socket directory path is too long for a Unix socket: " + dir);
    }
    try {
      Files.deleteIfExists(staged);
      Files.deleteIfExists(dir);
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.INVALID_INPUT, "socket-dir-unusable", "cannot create " + dir + ": " + e, e);
    }
    return staged;
  }

  /** Makes the bound {@code staged} socket owner-only and moves it to {@code socket}. */
  static void publish(Path staged, Path socket) {
    try {
      Files.setPosixFilePermissions(staged, OWNER_ONLY_SOCKET);
      Files.move(staged, socket, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.INTERNAL, "socket-publish-failed", "cannot publish " + socket + ": " + e, e);
    } finally {
      removeStaging(staged);
    }
  }

  /** Removes the staging directory (and a socket still in it). */
  static void removeStaging(Path staged) {
    try {
      Files.deleteIfExists(staged);
      Files.deleteIfExists(staged.getParent());
    } catch (IOException e) {
      // A leftover empty directory is harmless and removed by the next start of this pid.
    }
  }

  /** Removes the socket file at shutdown; a missing file is fine. */
  static void remove(Path socket) {
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // Best effort: the next start treats a leftover file as stale.
    }
  }
}
