package io.thinimage.cli.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per event and line, in the logstash layout the log file has always had: {@code
 * @timestamp} (ISO-8601 UTC), {@code @version}, {@code message}, {@code logger_name}, {@code
 * thread_name}, {@code level}, {@code level_value}, {@code stack_trace} when there is a throwable,
 * then MDC entries and SLF4J key/value pairs as top-level fields, and markers as {@code tags}.
 *
 * <p>Hand-written rather than the logstash encoder because the CLI is short-lived: that encoder
 * starts a Jackson mapper with every module it can find, which was a tenth of an idempotent re-run.
 * Numbers and booleans stay JSON numbers and booleans; every other value is written as its string.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"@timestamp\":\"").append(event.getInstant()).append("\",\"@version\":\"1\"");
    field(b, "message", event.getFormattedMessage());
    field(b, "logger_name", event.getLoggerName());
    field(b, "thread_name", event.getThreadName());
    field(b, "level", event.getLevel().levelStr);
    b.append(",\"level_value\":").append(event.getLevel().toInt());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      field(b, "stack_trace", ThrowableProxyUtil.asString(thrown));
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach((k, v) -> field(b, k, v));
    }
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair p : pairs) {
        value(b, p.key, p.value);
      }
    }
    List<Marker> markers = event.getMarkerList();
    if (markers != null && !markers.isEmpty()) {
      b.append(",\"tags\":[");
      for (int i = 0; i < markers.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        string(b, markers.get(i).getName());
      }
      b.append(']');
    }
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void value(StringBuilder b, String key, Object v) {
    if (v == null) {
      b.append(',');
      string(b, key);
      b.append(":null");
    } else if (v instanceof Boolean
        || v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte) {
      b.append(',');
      string(b, key);
      b.append(':').append(v);
    } else if ((v instanceof Double d && Double.isFinite(d))
        || (v instanceof Float f && Float.isFinite(f))) {
      b.append(',');
      string(b, key);
      b.append(':').append(v);
    } else {
      field(b, key, String.valueOf(v));
    }
  }

  private static void field(StringBuilder b, String key, String value) {
    b.append(',');
    string(b, key);
    b.append(':');
    if (value == null) {
      b.append("null");
    } else {
      string(b, value);
    }
  }

  /** Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
  static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
