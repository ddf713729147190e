package io.thinimage.daemon;

/**
 * Points Logback at the daemon's bundled JSON configuration unless the operator chose one, so a
 * standalone daemon logs one JSON object per line to stderr (journald-friendly).
 */
final class LogSetup {
  private LogSetup() {}

  static void defaults() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "thinimage-daemon-logback.xml");
    }
  }
}
