package io.thinimage.cli.support;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The log file's JSON lines: the logstash layout, valid JSON whatever the message holds. */
class JsonLineEncoderTest {
  private final LoggerContext ctx = new LoggerContext();
  private final JsonLineEncoder encoder = new JsonLineEncoder();

  JsonLineEncoderTest() {
    ctx.setMDCAdapter(new LogbackMDCAdapter());
    encoder.setContext(ctx);
    encoder.start();
  }

  private LoggingEvent event(Level level, String message, Throwable t, Object... args) {
    Logger logger = ctx.getLogger("io.thinimage.Example");
    LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, level, message, t, args);
    e.setInstant(Instant.parse("2026-01-02T03:04:05.123456789Z"));
    e.setThreadName("main");
    return e;
  }

  private static JsonNode parse(byte[] line) {
    String s = new String(line, StandardCharsets.UTF_8);
    assertThat(s).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
    return JsonMapper.builder().build().readTree(s);
  }

  @Test
  void writesTheLogstashFieldsAndTheKeyValuePairsAtTopLevel() {
    LoggingEvent e = event(Level.WARN, "run {} failed", null, "r1");
    e.addKeyValuePair(new KeyValuePair("run_id", "run-1"));
    e.addKeyValuePair(new KeyValuePair("attempt", 3));
    e.addKeyValuePair(new KeyValuePair("retry", true));
    e.addKeyValuePair(new KeyValuePair("waitMs", 2.5d));
    e.addKeyValuePair(new KeyValuePair("missing", null));
    e.addKeyValuePair(new KeyValuePair("path", java.nio.file.Path.of("/var/lib/x")));

    JsonNode n = parse(encoder.encode(e));

    assertThat(n.get("@timestamp").asString()).isEqualTo("2026-01-02T03:04:05.123456789Z");
    assertThat(n.get("@version").asString()).isEqualTo("1");
    assertThat(n.get("message").asString()).isEqualTo("run r1 failed");
    assertThat(n.get("logger_name").asString()).isEqualTo("io.thinimage.Example");
    assertThat(n.get("thread_name").asString()).isEqualTo("main");
    assertThat(n.get("level").asString()).isEqualTo("WARN");
    assertThat(n.get("level_value").asInt()).isEqualTo(30000);
    assertThat(n.get("run_id").asString()).isEqualTo("run-1");
    assertThat(n.get("attempt").isNumber()).isTrue();
    assertThat(n.get("attempt").asInt()).isEqualTo(3);
    assertThat(n.get("retry").isBoolean()).isTrue();
    assertThat(n.get("waitMs").asDouble()).isEqualTo(2.5d);
    assertThat(n.get("missing").isNull()).isTrue();
    assertThat(n.get("path").asString()).isEqualTo("/var/lib/x");
    assertThat(n.has("stack_trace")).isFalse();
    assertThat(n.has("tags")).isFalse();
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    String nasty =
        "a \"quoted\" \\path\\ with\nnew line,\ttab, \u0001, \u2028 and caf\u00e9 \u2603";
    JsonNode n = parse(encoder.encode(event(Level.INFO, nasty, null)));
    assertThat(n.get("message").asString()).isEqualTo(nasty);
  }

  @Test
  void writesTheStackTraceMdcAndMarkers() {
    LoggingEvent e = event(Level.ERROR, "boom", new IllegalStateException("bad \"state\""));
    e.setMDCPropertyMap(Map.of("request", "r-7"));
    e.addMarker(MarkerFactory.getMarker("AUDIT"));

    JsonNode n = parse(encoder.encode(e));

    assertThat(n.get("stack_trace").asString())
        .startsWith("java.lang.IllegalStateException: bad \"state\"")
        .contains("\tat io.thinimage.cli.support.JsonLineEncoderTest");
    assertThat(n.get("request").asString()).isEqualTo("r-7");
    assertThat(n.get("tags").isArray()).isTrue();
    assertThat(List.of(n.get("tags").get(0).asString())).containsExactly("AUDIT");
  }
}
