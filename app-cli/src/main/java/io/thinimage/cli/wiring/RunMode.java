package io.thinimage.cli.wiring;

/**
 * How this invocation uses the manager.
 *
 * @param command the command name, for logs and the lock file
 * @param mutating whether it changes state (holds the data-dir lock and resumes unfinished runs)
 */
public record RunMode(String command, boolean mutating) {}
