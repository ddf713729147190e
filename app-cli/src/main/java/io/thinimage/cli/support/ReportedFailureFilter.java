package io.thinimage.cli.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the engine's own report of a failed run off stderr at the default level: the command prints
 * that failure as its one-line error, so the terminal would show it twice. The log file still gets
 * it, and {@code --log-level info} shows it on stderr too.
 */
final class ReportedFailureFilter extends Filter<ILoggingEvent> {
  private static final String ENGINE = "io.thinimage.core.engine.";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    if (event.getLevel() == Level.WARN && event.getLoggerName().startsWith(ENGINE)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
