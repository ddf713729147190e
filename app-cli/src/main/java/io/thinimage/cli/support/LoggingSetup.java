package io.thinimage.cli.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.cli.options.CommonOptions.LogFormat;
import io.thinimage.cli.options.CommonOptions.LogLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback for one invocation: JSON lines (the logstash layout, {@link JsonLineEncoder})
 * to {@code <data-dir>/logs/thinimage.log} at INFO, and human or JSON lines to stderr at {@code
 * --log-level} (WARN by default, so stdout and stderr stay clean). Programmatic rather than a
 * {@code logback.xml}: the levels and the file come from the options.
 *
 * <p>Start-up cost matters here: every command pays it, and an idempotent re-run does little else.
 * So the JSON encoder is hand-written (no Jackson), and the human stderr pattern is only compiled
 * when the first event reaches stderr, which a successful command at the default level never does.
 */
public final class LoggingSetup {
  private static final String HUMAN_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg %kvp%n%nopex";

  private LoggingSetup() {}

  /**
   * Applies the configuration. Returns the log file when it could be opened (a read-only command
   * run by a user who cannot write the data dir logs to stderr only).
   */
  public static Optional<Path> configure(CliConfig config) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    Level stderrLevel = toLevel(config.logLevel());
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    Optional<Path> file = attachFile(ctx, config.logFile());
    // the root lets through the most verbose of the two sinks; each sink filters its own level
    int fileLevel = file.isPresent() ? Level.INFO_INT : Level.OFF_INT;
    Level rootLevel = Level.toLevel(Math.min(stderrLevel.toInt(), fileLevel));
    root.setLevel(rootLevel);
    if (stderrLevel != Level.OFF) {
      attachStderr(ctx, stderrLevel, config.logFormat() == LogFormat.json);
    }
    return file;
  }

  /** Adds a stderr appender at {@code level}. */
  static void attachStderr(LoggerContext ctx, Level level, boolean json) {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(ctx);
    console.setName("stderr");
    console.setTarget("System.err");
    console.setEncoder(json ? jsonEncoder(ctx) : humanEncoder(ctx));
    console.addFilter(threshold(ctx, level));
    if (level == Level.WARN) {
      console.addFilter(new ReportedFailureFilter());
    }
    console.start();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(console);
  }

  private static Optional<Path> attachFile(LoggerContext ctx, Path logFile) {
    try {
      Files.createDirectories(logFile.getParent());
      if (!Files.isWritable(logFile.getParent())
          || (Files.exists(logFile) && !Files.isWritable(logFile))) {
        return Optional.empty();
      }
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(ctx);
    appender.setName("file");
    appender.setFile(logFile.toString());
    appender.setAppend(true);
    appender.setEncoder(jsonEncoder(ctx));
    appender.addFilter(threshold(ctx, Level.INFO));
    appender.start();
    if (!appender.isStarted()) {
      return Optional.empty();
    }
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    return Optional.of(logFile);
  }

  private static Encoder<ILoggingEvent> humanEncoder(LoggerContext ctx) {
    LazyPatternEncoder e = new LazyPatternEncoder(HUMAN_PATTERN);
    e.setContext(ctx);
    e.start();
    return e;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext ctx) {
    JsonLineEncoder e = new JsonLineEncoder();
    e.setContext(ctx);
    e.start();
    return e;
  }

  /**
   * A pattern encoder compiled on first use: parsing a pattern loads and wires a few dozen
   * converter classes, which most invocations would pay for nothing.
   */
  static final class LazyPatternEncoder extends EncoderBase<ILoggingEvent> {
    private final String pattern;
    private PatternLayoutEncoder delegate;

    LazyPatternEncoder(String pattern) {
      this.pattern = pattern;
    }

    private synchronized PatternLayoutEncoder delegate() {
      if (delegate == null) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(getContext());
        e.setPattern(pattern);
        e.start();
        delegate = e;
      }
      return delegate;
    }

    @Override
    public byte[] headerBytes() {
      return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
      return delegate().encode(event);
    }

    @Override
    public byte[] footerBytes() {
      return null;
    }
  }

  private static ThresholdFilter threshold(LoggerContext ctx, Level level) {
    ThresholdFilter f = new ThresholdFilter();
    f.setContext(ctx);
    f.setLevel(level.levelStr);
    f.start();
    return f;
  }

  /** The Logback level of a {@code --log-level} value. */
  public static Level toLevel(LogLevel l) {
    switch (l) {
      case debug:
        return Level.DEBUG;
      case info:
        return Level.INFO;
      case error:
        return Level.ERROR;
      case off:
        return Level.OFF;
      case warn:
      default:
        return Level.WARN;
    }
  }
}
