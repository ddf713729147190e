package io.thinimage.core.port;

import java.util.List;

/**
 * Reads the host's health before device-mapper mutations. A check that cannot read its source says
 * UNKNOWN; it never passes silently. Implementations bound every check with a timeout.
 */
public interface HealthProbe {

  /** Runs every check once. Never throws: failures to read are UNKNOWN checks. */
  HealthReport check();

  /** The verdict of one check. */
  enum Verdict {
    OK,
    WARN,
    UNSAFE,
    UNKNOWN
  }

  /** One named check with its measured value and verdict. */
  record Check(String name, String value, Verdict verdict, String detail) {}

  /** All checks; unsafe if any check is UNSAFE. */
  record HealthReport(List<Check> checks) {
    public HealthReport {
      checks = List.copyOf(checks);
    }

    public boolean unsafe() {
      return checks.stream().anyMatch(c -> c.verdict() == Verdict.UNSAFE);
    }

    /** The first unsafe check as one line, for error messages. */
    public String firstUnsafe() {
      return checks.stream()
          .filter(c -> c.verdict() == Verdict.UNSAFE)
          .map(c -> c.name() + "=" + c.value() + " (" + c.detail() + ")")
          .findFirst()
          .orElse("");
    }

    public static HealthReport healthy() {
      return new HealthReport(List.of());
    }
  }
}
