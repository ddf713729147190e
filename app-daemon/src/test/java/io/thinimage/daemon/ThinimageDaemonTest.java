package io.thinimage.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.testing.FakeWorld;
import io.thinimage.daemon.client.DaemonClient;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket life cycle in-process, over the core's in-memory world. */
class ThinimageDaemonTest {
  @TempDir Path tmp;

  private ThinimageDaemon start(Path socket, ImageManager manager) {
    return ThinimageDaemon.start(DaemonOptions.of(socket, 0), manager, Optional.empty());
  }

  private ThinImageException startFails(Path socket) {
    ImageManager manager = new FakeWorld(tmp.resolve("blobs2")).manager();
    try {
      start(socket, manager).close();
      throw new AssertionError("expected the start to fail");
    } catch (ThinImageException e) {
      return e;
    } finally {
      manager.close();
    }
  }

  @Test
  void publishesAnOwnerOnlySocketAndRemovesItOnClose() throws Exception {
    Path socket = tmp.resolve("run").resolve("ti.sock");
    ImageManager manager = new FakeWorld(tmp.resolve("blobs")).manager();
    try (ThinimageDaemon daemon = start(socket, manager)) {
      assertThat(Files.getPosixFilePermissions(socket))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(socket.getParent()))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(new DaemonClient(socket).health().path("status").asString()).isEqualTo("ok");
      try (Stream<Path> s = Files.list(socket.getParent())) {
        assertThat(s).containsExactly(socket); // the staging directory is gone
      }
      ThinImageException second = startFails(socket);
      assertThat(second.kind()).isEqualTo(ErrorKind.CONFLICT);
      assertThat(second.code()).isEqualTo("daemon-already-running");
      assertThat(DaemonClient.isLive(socket)).isTrue();
    }
    assertThat(socket).doesNotExist();
    assertThat(DaemonClient.isLive(socket)).isFalse();
    assertThat(DaemonClient.ifLive(socket)).isEmpty();
  }

  @Test
  void replacesAStaleSocketNobodyListensOn() throws Exception {
    Path socket = tmp.resolve("stale.sock");
    // A bound socket whose listener is gone: what kill -9 leaves behind.
    try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    assertThat(DaemonClient.isLive(socket)).isFalse();
    ImageManager manager = new FakeWorld(tmp.resolve("blobs")).manager();
    try (ThinimageDaemon daemon = start(socket, manager)) {
      assertThat(DaemonClient.isLive(socket)).isTrue();
    }
  }

  @Test
  void refusesToRemoveAFileThatIsNotASocket() throws Exception {
    Path socket = tmp.resolve("not-a.sock");
    Files.writeString(socket, "data");
    ThinImageException e = startFails(socket);
    assertThat(e.code()).isEqualTo("socket-path-occupied");
    assertThat(socket).hasContent("data");
  }

  @Test
  void refusesASocketPathTooLongForTheKernel() {
    Path socket = tmp.resolve("x".repeat(120) + ".sock");
    ThinImageException e = startFails(socket);
    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
    assertThat(e.code()).isEqualTo("socket-path-too-long");
  }

  @Test
  void aBusyMetricsPortIsATransientStartFailureThatLeavesNoSocket() throws Exception {
    Path socket = tmp.resolve("m.sock");
    try (java.net.ServerSocket busy =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ImageManager manager = new FakeWorld(tmp.resolve("blobs")).manager();
      try {
        assertThatThrownBy(
                () ->
                    ThinimageDaemon.start(
                        DaemonOptions.of(socket, busy.getLocalPort()), manager, Optional.empty()))
            .isInstanceOfSatisfying(
                ThinImageException.class,
                e -> assertThat(e.code()).isEqualTo("daemon-listen-failed"));
      } finally {
        manager.close();
      }
    }
    assertThat(socket).doesNotExist();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".thinimage-"));
    }
  }
}
