package io.thinimage.adapters.devicemapper;

import java.time.Duration;
import java.util.List;

/**
 * Runs one external command as an argument array (never through a shell) with a timeout. The seam
 * between the pool adapters and the host: unit tests script outcomes, production runs real
 * processes ({@link ProcessCommandRunner}).
 */
public interface CommandRunner {

  /**
   * Runs {@code argv} and waits at most {@code timeout}. A non-zero exit is a normal result, not an
   * exception.
   *
   * @throws io.thinimage.core.domain.ThinImageException TRANSIENT {@code command-timeout} when the
   *     command did not finish in time (the process and its descendants are killed first), UNSAFE
   *     {@code command-start-failed} when the program could not be started
   */
  CommandResult run(List<String> argv, Duration timeout);
}
