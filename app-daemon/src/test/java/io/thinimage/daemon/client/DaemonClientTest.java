package io.thinimage.daemon.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a raw Unix-socket server that behaves as real servers may. */
class DaemonClientTest {
  @TempDir Path tmp;

  /**
   * Accepts one connection, reads part of the request head only (never the body), writes {@code
   * answer} (nothing if empty) and closes.
   */
  private static CompletableFuture<Void> answerOnce(ServerSocketChannel server, byte[] answer) {
    return CompletableFuture.runAsync(
        () -> {
          try (SocketChannel ch = server.accept()) {
            ch.read(ByteBuffer.allocate(256));
            ch.write(ByteBuffer.wrap(answer));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /**
   * A server that answers as soon as it has the head, never reads the body, and closes: the
   * client's write fails (broken pipe or reset) but the answer was sent, so the caller gets it.
   */
  @Test
  void anAnswerSentBeforeTheBodyWasReadIsReturnedNotReportedAsUnreachable() throws Exception {
    Path socket = tmp.resolve("early.sock");
    byte[] answer =
        ("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\n\r\n{\"error\":{\"kind\":\"INVALID_INPUT\"}}")
            .getBytes(StandardCharsets.US_ASCII);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      CompletableFuture<Void> served = answerOnce(server, answer);
      // Far more than a socket buffer holds, so the write surely fails once the server is gone.
      String body = " ".repeat(8 * 1024 * 1024);
      DaemonClient.Response r = new DaemonClient(socket).exchange("POST", "/v1/images", body);
      served.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body()).contains("INVALID_INPUT");
    }
  }

  /** A server that closes without a word: the failure is the daemon being unreachable. */
  @Test
  void aServerThatClosesWithoutAnAnswerIsUnreachable() throws Exception {
    Path socket = tmp.resolve("mute.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      CompletableFuture<Void> served = answerOnce(server, new byte[0]);
      DaemonClient client = new DaemonClient(socket);
      assertThatThrownBy(() -> client.exchange("POST", "/v1/images", " ".repeat(8 * 1024 * 1024)))
          .isInstanceOfSatisfying(
              ThinImageException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
                assertThat(e.code()).isEqualTo("daemon-unreachable");
              });
      served.get(10, TimeUnit.SECONDS);
    }
  }
}
