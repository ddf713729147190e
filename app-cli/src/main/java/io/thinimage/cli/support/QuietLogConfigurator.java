package io.thinimage.cli.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's first configuration, found through {@code ServiceLoader} before any logging happens:
 * everything below WARN is dropped and nothing goes to stdout (Logback's own fallback logs DEBUG to
 * stdout, which would pollute command output). {@link LoggingSetup} replaces it once the options
 * are parsed.
 */
public final class QuietLogConfigurator extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LoggingSetup.attachStderr(context, Level.WARN, false);
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
