package io.thinimage.adapters.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small loopback HTTP/1.1 proxy in front of the S3 server that injects faults per request: a
 * canned error status, a TCP reset, a delayed response head, or a body cut after N bytes. It
 * handles one request per client connection (it forwards with {@code Connection: close} and answers
 * the same way), which keeps framing trivial while the SDK's pool simply reconnects. It records
 * every request line with its {@code Range} and {@code If-Match} headers.
 */
final class FaultProxy implements AutoCloseable {

  /** What a rule does to a matching request. */
  enum Action {
    STATUS,
    RESET,
    DELAY_HEAD,
    CUT_BODY
  }

  /** One seen request. */
  record Seen(String method, String target, String range, String ifMatch) {
    /** Whether this is a GET of an object body (not a ListObjectsV2, which is a GET too). */
    boolean isObjectGet() {
      return method.equals("GET") && !target.contains("list-type=");
    }
  }

  private static final class Rule {
    final String method;
    final String targetContains;
    final Action action;
    final int status;
    final String errorCode;
    final long cutAfter;
    final Duration delay;
    final Runnable onFire;
    int remaining;

    Rule(
        String method,
        String targetContains,
        int times,
        Action action,
        int status,
        String errorCode,
        long cutAfter,
        Duration delay,
        Runnable onFire) {
      this.method = method;
      this.targetContains = targetContains;
      this.remaining = times;
      this.action = action;
      this.status = status;
      this.errorCode = errorCode;
      this.cutAfter = cutAfter;
      this.delay = delay;
      this.onFire = onFire;
    }
  }

  private final URI upstream;
  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(daemon());
  private final List<Rule> rules = new ArrayList<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  FaultProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(this::acceptLoop);
  }

  /** Where clients connect. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** The next {@code times} matching requests get {@code status} with S3 error {@code code}. */
  synchronized void failWithStatus(
      String method, String targetContains, int times, int status, String code) {
    rules.add(new Rule(method, targetContains, times, Action.STATUS, status, code, 0, null, null));
  }

  /** The next {@code times} matching requests get a TCP reset instead of a response. */
  synchronized void reset(String method, String targetContains, int times) {
    rules.add(new Rule(method, targetContains, times, Action.RESET, 0, null, 0, null, null));
  }

  /** The next {@code times} matching responses have their head held back for {@code delay}. */
  synchronized void delayHead(String method, String targetContains, int times, Duration delay) {
    rules.add(new Rule(method, targetContains, times, Action.DELAY_HEAD, 0, null, 0, delay, null));
  }

  /**
   * The next {@code times} matching responses are cut after {@code bodyBytes} body bytes; {@code
   * onFire} (may be null) runs just before the connection is closed.
   */
  synchronized void cutBody(
      String method, String targetContains, int times, long bodyBytes, Runnable onFire) {
    rules.add(
        new Rule(method, targetContains, times, Action.CUT_BODY, 0, null, bodyBytes, null, onFire));
  }

  /** Every request seen so far, in arrival order. */
  List<Seen> requests() {
    return List.copyOf(seen);
  }

  /** Object GETs seen so far. */
  List<Seen> objectGets() {
    return seen.stream().filter(Seen::isObjectGet).toList();
  }

  private synchronized Rule match(String method, String target) {
    for (Rule r : rules) {
      if (r.remaining > 0 && r.method.equals(method) && target.contains(r.targetContains)) {
        r.remaining--;
        return r;
      }
    }
    return null;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        pool.execute(() -> handle(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void handle(Socket client) {
    try (client) {
      InputStream cin = client.getInputStream();
      OutputStream cout = client.getOutputStream();
      byte[] headBytes = readHead(cin);
      if (headBytes == null) {
        return;
      }
      String head = new String(headBytes, StandardCharsets.ISO_8859_1);
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String method = requestLine[0];
      String target = requestLine[1];
      long contentLength = 0;
      String range = null;
      String ifMatch = null;
      StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("connection:")) {
          continue;
        }
        if (lower.startsWith("content-length:")) {
          contentLength = Long.parseLong(line.substring(15).trim());
        } else if (lower.startsWith("range:")) {
          range = line.substring(6).trim();
        } else if (lower.startsWith("if-match:")) {
          ifMatch = line.substring(9).trim();
        }
        forwarded.append(line).append("\r\n");
      }
      forwarded.append("Connection: close\r\n\r\n");
      seen.add(new Seen(method, target, range, ifMatch));
      byte[] body = cin.readNBytes((int) contentLength);

      Rule rule = match(method, target);
      if (rule != null && rule.action == Action.STATUS) {
        String xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + rule.errorCode
                + "</Code><Message>injected</Message><RequestId>fault</RequestId></Error>";
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        String response =
            "HTTP/1.1 "
                + rule.status
                + " Injected\r\nContent-Type: application/xml\r\nContent-Length: "
                + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        cout.write(response.getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
          cout.write(bytes);
        }
        cout.flush();
        return;
      }
      if (rule != null && rule.action == Action.RESET) {
        client.setSoLinger(true, 0); // close() now sends RST
        return;
      }
      try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
        OutputStream uout = up.getOutputStream();
        uout.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
        uout.write(body);
        uout.flush();
        InputStream uin = up.getInputStream();
        byte[] responseHead = readHead(uin);
        if (responseHead == null) {
          return;
        }
        if (rule != null && rule.action == Action.DELAY_HEAD) {
          Thread.sleep(rule.delay.toMillis());
        }
        cout.write(rewriteConnection(responseHead));
        long limit =
            rule != null && rule.action == Action.CUT_BODY ? rule.cutAfter : Long.MAX_VALUE;
        byte[] buf = new byte[64 * 1024];
        long sent = 0;
        int n;
        while (sent < limit
            && (n = uin.read(buf, 0, (int) Math.min(buf.length, limit - sent))) > 0) {
          cout.write(buf, 0, n);
          sent += n;
        }
        cout.flush();
        if (rule != null && rule.action == Action.CUT_BODY && rule.onFire != null) {
          rule.onFire.run();
        }
      }
    } catch (IOException e) {
      // the client or the server went away: nothing to forward
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] rewriteConnection(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\r\n")) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
        out.append(line).append("\r\n");
      }
    }
    out.append("Connection: close\r\n\r\n");
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Reads up to and including CRLFCRLF; the head without the final empty line, or null at EOF. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      state =
          switch (state) {
            case 0, 2 -> b == '\r' ? state + 1 : 0;
            case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
            default -> 0;
          };
      if (head.size() > 64 * 1024) {
        throw new IOException("head too large");
      }
    }
    byte[] bytes = head.toByteArray();
    return java.util.Arrays.copyOf(bytes, bytes.length - 4);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "fault-proxy");
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
  }
}
