package io.thinimage.adapters.devicemapper;

import io.thinimage.adapters.devicemapper.DmStatus.Failed;
import io.thinimage.adapters.devicemapper.DmStatus.NoSpacePolicy;
import io.thinimage.adapters.devicemapper.DmStatus.PoolMode;
import io.thinimage.adapters.devicemapper.DmStatus.ThinPoolStatus;
import io.thinimage.adapters.devicemapper.DmStatus.ThinStatus;
import io.thinimage.core.domain.ThinImageException;
import java.util.Arrays;
import java.util.List;

/**
 * Strict parser for thin-pool and thin status lines (kernel thin-provisioning.rst "Status"). An
 * unknown token is an error, not a guess: a pool whose status we cannot read is not a pool we
 * allocate in.
 */
public final class DmStatusParser {
  private DmStatusParser() {}

  /**
   * Parses a full line as {@code dmsetup status <name>} prints it: {@code <start> <length> <target>
   * <params...>}. A {@code <name>: } prefix (from {@code dmsetup status} without a name) is
   * accepted and ignored.
   *
   * @throws ThinImageException INTERNAL {@code dm-status-unparsable} on anything else
   */
  public static DmStatus parse(String line) {
    String s = line.strip();
    int colon = s.indexOf(": ");
    if (colon > 0 && !Character.isDigit(s.charAt(0))) {
      s = s.substring(colon + 2).strip();
    }
    List<String> f = Arrays.asList(s.split("\\s+"));
    if (f.size() < 4) {
      throw bad(line, "too few fields");
    }
    long length = number(f.get(1), line);
    String target = f.get(2);
    List<String> params = f.subList(3, f.size());
    if (params.size() == 1 && ("Fail".equals(params.get(0)) || "Error".equals(params.get(0)))) {
      return new Failed(target, length, params.get(0));
    }
    switch (target) {
      case "thin-pool":
        return pool(length, params, line);
      case "thin":
        return thin(length, params, line);
      default:
        throw bad(line, "not a thin or thin-pool target: " + target);
    }
  }

  private static ThinPoolStatus pool(long length, List<String> p, String line) {
    if (p.size() != 8 && p.size() != 9) {
      throw bad(line, "a thin-pool line has 8 or 9 fields, got " + p.size());
    }
    long txn = number(p.get(0), line);
    long[] meta = ratio(p.get(1), line);
    long[] data = ratio(p.get(2), line);
    long held = "-".equals(p.get(3)) ? -1 : number(p.get(3), line);
    PoolMode mode =
        switch (p.get(4)) {
          case "rw" -> PoolMode.RW;
          case "ro" -> PoolMode.RO;
          case "out_of_data_space" -> PoolMode.OUT_OF_DATA_SPACE;
          default -> throw bad(line, "unknown pool mode " + p.get(4));
        };
    boolean passdown =
        switch (p.get(5)) {
          case "discard_passdown" -> true;
          case "no_discard_passdown" -> false;
          default -> throw bad(line, "unknown discard mode " + p.get(5));
        };
    NoSpacePolicy policy =
        switch (p.get(6)) {
          case "error_if_no_space" -> NoSpacePolicy.ERROR;
          case "queue_if_no_space" -> NoSpacePolicy.QUEUE;
          default -> throw bad(line, "unknown no-space policy " + p.get(6));
        };
    boolean needsCheck =
        switch (p.get(7)) {
          case "needs_check" -> true;
          case "-" -> false;
          default -> throw bad(line, "unknown needs_check field " + p.get(7));
        };
    long watermark = p.size() == 9 ? number(p.get(8), line) : -1;
    return new ThinPoolStatus(
        length,
        txn,
        meta[0],
        meta[1],
        data[0],
        data[1],
        held,
        mode,
        passdown,
        policy,
        needsCheck,
        watermark);
  }

  private static ThinStatus thin(long length, List<String> p, String line) {
    if (p.size() != 2) {
      throw bad(line, "a thin line has 2 fields, got " + p.size());
    }
    long mapped = number(p.get(0), line);
    long highest = "-".equals(p.get(1)) ? -1 : number(p.get(1), line);
    return new ThinStatus(length, mapped, highest);
  }

  private static long[] ratio(String token, String line) {
    int slash = token.indexOf('/');
    if (slash <= 0 || slash == token.length() - 1) {
      throw bad(line, "expected used/total, got " + token);
    }
    long used = number(token.substring(0, slash), line);
    long total = number(token.substring(slash + 1), line);
    if (used > total) {
      throw bad(line, "used exceeds total in " + token);
    }
    return new long[] {used, total};
  }

  private static long number(String token, String line) {
    try {
      long v = Long.parseUnsignedLong(token);
      if (v < 0) {
        throw bad(line, "number out of range: " + token);
      }
      return v;
    } catch (NumberFormatException e) {
      throw bad(line, "not a number: " + token);
    }
  }

  private static ThinImageException bad(String line, String why) {
    return ThinImageException.internal(
        "dm-status-unparsable", "cannot parse dmsetup status line '" + line + "': " + why, null);
  }
}
