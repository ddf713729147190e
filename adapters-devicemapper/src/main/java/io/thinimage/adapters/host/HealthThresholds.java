package io.thinimage.adapters.host;

import io.thinimage.core.domain.ThinImageException;
import java.util.List;

/**
 * When a host check turns WARN or UNSAFE. Defaults ({@link #defaults()}) are documented in {@code
 * docs/operations.md}: they refuse dm mutations under real memory or I/O stalls, with tasks stuck
 * in uninterruptible sleep, or with a pool nearly full — the conditions in which dm-thin operations
 * hang or corrupt.
 *
 * @param memoryPsiWarn PSI memory "some avg10" (%) that warns
 * @param memoryPsiUnsafe PSI memory "some avg10" (%) that blocks
 * @param memAvailableWarnPercent MemAvailable/MemTotal (%) under which it warns
 * @param memAvailableUnsafePercent MemAvailable/MemTotal (%) under which it blocks
 * @param ioPsiWarn PSI io "some avg10" (%) that warns
 * @param ioPsiUnsafe PSI io "some avg10" (%) that blocks
 * @param iowaitWarnPercent iowait share of CPU time over the sample (%) that warns
 * @param iowaitUnsafePercent iowait share that blocks
 * @param dstateWarn tasks in uninterruptible sleep that warn
 * @param dstateUnsafe tasks in uninterruptible sleep that block
 * @param poolWarnPercent pool data or metadata usage (%) that warns
 * @param poolUnsafePercent pool data or metadata usage (%) that blocks
 */
public record HealthThresholds(
    double memoryPsiWarn,
    double memoryPsiUnsafe,
    double memAvailableWarnPercent,
    double memAvailableUnsafePercent,
    double ioPsiWarn,
    double ioPsiUnsafe,
    double iowaitWarnPercent,
    double iowaitUnsafePercent,
    int dstateWarn,
    int dstateUnsafe,
    double poolWarnPercent,
    double poolUnsafePercent) {

  public static HealthThresholds defaults() {
    return new HealthThresholds(10, 40, 10, 5, 20, 60, 20, 50, 1, 3, 80, 90);
  }

  /**
   * Every check reported, none blocking: for the directory pool, where host pressure cannot wedge a
   * kernel device and blocking would only refuse harmless work.
   */
  public static HealthThresholds reportOnly() {
    double never = Double.POSITIVE_INFINITY;
    return new HealthThresholds(
        10, never, 10, -1, 20, never, 20, never, 1, Integer.MAX_VALUE, 80, never);
  }

  /** The names {@link #with(String, double)} accepts, in declaration order. */
  public static final List<String> NAMES =
      List.of(
          "memory-psi-warn",
          "memory-psi-unsafe",
          "mem-available-warn",
          "mem-available-unsafe",
          "io-psi-warn",
          "io-psi-unsafe",
          "iowait-warn",
          "iowait-unsafe",
          "dstate-warn",
          "dstate-unsafe",
          "pool-warn",
          "pool-unsafe");

  /**
   * These thresholds with one changed, by its documented name (an operator's {@code
   * --health-threshold NAME=VALUE}). INVALID_INPUT for an unknown name or a negative value.
   */
  public HealthThresholds with(String name, double value) {
    if (!(value >= 0) || value > Integer.MAX_VALUE) {
      throw ThinImageException.invalid(
          "bad-health-threshold", "health threshold " + name + " must be >= 0, got " + value);
    }
    double[] v = {
      memoryPsiWarn,
      memoryPsiUnsafe,
      memAvailableWarnPercent,
      memAvailableUnsafePercent,
      ioPsiWarn,
      ioPsiUnsafe,
      iowaitWarnPercent,
      iowaitUnsafePercent,
      dstateWarn,
      dstateUnsafe,
      poolWarnPercent,
      poolUnsafePercent
    };
    int i = NAMES.indexOf(name);
    if (i < 0) {
      throw ThinImageException.invalid(
          "bad-health-threshold",
          "unknown health threshold '" + name + "'; known: " + String.join(", ", NAMES));
    }
    v[i] = value;
    return new HealthThresholds(
        v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], (int) v[8], (int) v[9], v[10], v[11]);
  }
}
