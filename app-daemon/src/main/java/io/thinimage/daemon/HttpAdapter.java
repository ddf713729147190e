package io.thinimage.daemon;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The Jetty core handler in front of {@link AdminApi} and {@link DaemonMetrics}. The admin API is
 * served only on the Unix socket (file permissions are its access control); the loopback TCP
 * connector serves {@code /metrics} and nothing else, so no local user can submit work over TCP.
 */
final class HttpAdapter extends Handler.Abstract {
  /** Request bodies are tiny JSON objects; anything larger is refused. */
  private static final int MAX_BODY = 64 * 1024;

  private final AdminApi api;
  private final DaemonMetrics metrics;
  private final Connector metricsConnector;

  HttpAdapter(AdminApi api, DaemonMetrics metrics, Connector metricsConnector) {
    this.api = api;
    this.metrics = metrics;
    this.metricsConnector = metricsConnector;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    boolean overTcp =
        metricsConnector != null
            && request.getConnectionMetaData().getConnector() == metricsConnector;
    Answer answer;
    if ("/metrics".equals(path)) {
      answer =
          "GET".equals(method)
              ? new Answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape(), null)
              : Answer.notAllowed(method, path, "GET");
    } else if (overTcp) {
      answer = Answer.error(ApiError.noRoute(path));
    } else {
      long length = request.getLength();
      if (length > MAX_BODY) {
        answer = Answer.error(ApiError.tooLarge(MAX_BODY));
      } else {
        String body = "POST".equals(method) ? body(request) : "";
        answer =
            body == null
                ? Answer.error(ApiError.tooLarge(MAX_BODY))
                : api.handle(method, path, query(request), body);
      }
    }
    response.setStatus(answer.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (answer.allow() != null) {
      response.getHeaders().put(HttpHeader.ALLOW, answer.allow());
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    if ("HEAD".equals(method)) {
      response.write(true, null, callback);
    } else {
      response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
    }
    return true;
  }

  /** The body as text, read up to {@link #MAX_BODY} bytes (also when chunked); null if larger. */
  private static String body(Request request) throws InterruptedException {
    try {
      byte[] bytes = Content.Source.asByteArrayAsync(request, MAX_BODY).get();
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (java.util.concurrent.ExecutionException e) {
      return null;
    }
  }

  private static Map<String, String> query(Request request) {
    Fields fields = Request.extractQueryParameters(request);
    Map<String, String> q = new HashMap<>();
    for (Fields.Field f : fields) {
      q.put(f.getName(), f.getValue());
    }
    return q;
  }
}
