package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code dmsetup} commands the pools use, with errno-based outcomes. Idempotent cases of our
 * own objects are successes: EEXIST on {@code create_thin}/{@code create_snap} of an id the caller
 * reserved, ENODATA on {@code delete}, ENXIO/ENOENT on {@code remove}. Nothing here ever passes
 * {@code --force}.
 */
public final class Dmsetup {
  private static final String NO_DEVICES = "No devices found";

  private final CommandRunner runner;
  private final Duration timeout;
  private final int busyRetries;
  private final Duration busyDelay;

  /**
   * @param timeout bound on every dmsetup call
   * @param busyRetries how many times an EBUSY remove or delete is retried before giving up (remove
   *     then falls back to deferred removal)
   * @param busyDelay pause between EBUSY retries
   */
  public Dmsetup(CommandRunner runner, Duration timeout, int busyRetries, Duration busyDelay) {
    this.runner = runner;
    this.timeout = timeout;
    this.busyRetries = busyRetries;
    this.busyDelay = busyDelay;
  }

  /** A command's result with its classified errno ({@code null} when it succeeded). */
  record Outcome(CommandResult result, Errno errno) {
    boolean ok() {
      return result.ok();
    }
  }

  /** How a remove ended. */
  public enum RemoveOutcome {
    REMOVED,
    /** The device did not exist (ENXIO/ENOENT): already removed, success. */
    ABSENT,
    /** Still open after the retries: the kernel removes it on last close. */
    DEFERRED
  }

  /** The thin table line: {@code 0 <sectors> thin <pool device> <id>}. */
  public static String thinTable(long sectors, String poolDevice, long thinId) {
    return "0 " + sectors + " thin " + poolDevice + " " + thinId;
  }

  Outcome run(String... args) {
    List<String> argv = new ArrayList<>(args.length + 1);
    argv.add("dmsetup");
    argv.addAll(List.of(args));
    CommandResult r = runner.run(argv, timeout);
    return new Outcome(r, r.ok() ? null : Errno.classify(r.stderr() + "\n" + r.stdout()));
  }

  /** Sends a message to a pool; failures are errors. */
  public void message(String pool, String message) {
    Outcome o = run("message", pool, "0", message);
    if (!o.ok()) {
      throw failure("message '" + message + "' to " + pool, o);
    }
  }

  /** {@code create_thin}: true if created, false if the id already existed (ours, reserved). */
  public boolean createThin(String pool, long thinId) {
    Outcome o = run("message", pool, "0", "create_thin " + thinId);
    if (o.ok()) {
      return true;
    }
    if (o.errno() == Errno.EEXIST) {
      return false;
    }
    throw failure("create_thin " + thinId, o);
  }

  /**
   * {@code create_snap}: true if created, false if the snapshot id already existed. The caller
   * suspends an active origin around this call.
   *
   * @throws ThinImageException NOT_FOUND {@code volume-origin-missing} if the origin id does not
   *     exist in the pool (ENODATA)
   */
  public boolean createSnap(String pool, long thinId, long originId) {
    Outcome o = run("message", pool, "0", "create_snap " + thinId + " " + originId);
    if (o.ok()) {
      return true;
    }
    if (o.errno() == Errno.EEXIST) {
      return false;
    }
    if (o.errno() == Errno.ENODATA) {
      throw ThinImageException.notFound(
          "volume-origin-missing", "origin thin id " + originId + " does not exist in " + pool);
    }
    throw failure("create_snap " + thinId + " " + originId, o);
  }

  /** {@code delete}: true if deleted, false if it did not exist (ENODATA). EBUSY is retried. */
  public boolean deleteThin(String pool, long thinId) {
    for (int attempt = 0; ; attempt++) {
      Outcome o = run("message", pool, "0", "delete " + thinId);
      if (o.ok()) {
        return true;
      }
      if (o.errno() == Errno.ENODATA) {
        return false;
      }
      if (o.errno() != Errno.EBUSY || attempt >= busyRetries) {
        throw failure("delete " + thinId, o);
      }
      pause();
    }
  }

  /**
   * Creates and resumes a device with one table line. Returns true if created, false if a device of
   * that name already has a live table (the caller checks it is the table it wants).
   */
  public boolean create(String name, String table) {
    Outcome o = run("create", "--verifyudev", name, "--table", table);
    if (o.ok()) {
      return true;
    }
    if (o.errno() == Errno.EBUSY || o.errno() == Errno.EEXIST) {
      Optional<DeviceInfo> existing = info(name);
      if (existing.isPresent() && existing.get().live()) {
        return false;
      }
    }
    throw failure("create " + name, o);
  }

  /** Loads a table into the inactive slot of an existing device (resume makes it live). */
  public void reload(String name, String table) {
    Outcome o = run("reload", name, "--table", table);
    if (!o.ok()) {
      throw failure("reload " + name, o);
    }
  }

  /** Suspends a device, flushing and freezing a filesystem on it. */
  public void suspend(String name) {
    Outcome o = run("suspend", name);
    if (!o.ok()) {
      throw failure("suspend " + name, o);
    }
  }

  /** Resumes a suspended device (a no-op on a running one). */
  public void resume(String name) {
    Outcome o = run("resume", name);
    if (!o.ok()) {
      throw failure("resume " + name, o);
    }
  }

  /**
   * Removes a device: plain remove, retried on EBUSY, then deferred removal. Never forced: a forced
   * remove would swap in an error table under a mounted filesystem.
   */
  public RemoveOutcome remove(String name) {
    for (int attempt = 0; ; attempt++) {
      Outcome o = run("remove", "--verifyudev", name);
      if (o.ok()) {
        return RemoveOutcome.REMOVED;
      }
      if (o.errno() == Errno.ENXIO || o.errno() == Errno.ENOENT) {
        return RemoveOutcome.ABSENT;
      }
      if (o.errno() != Errno.EBUSY) {
        throw failure("remove " + name, o);
      }
      if (attempt >= busyRetries) {
        break;
      }
      pause();
    }
    // No --verifyudev here: it would unlink the node at once while the device lives on until
    // its last close, and a re-activation (cancel of the deferred removal) needs the node.
    Outcome deferred = run("remove", "--deferred", name);
    if (deferred.ok()) {
      return info(name).isPresent() ? RemoveOutcome.DEFERRED : RemoveOutcome.REMOVED;
    }
    if (deferred.errno() == Errno.ENXIO || deferred.errno() == Errno.ENOENT) {
      return RemoveOutcome.ABSENT;
    }
    throw failure("remove --deferred " + name, deferred);
  }

  /** Cancels a pending deferred removal; false if there was none or the device is gone. */
  public boolean cancelDeferredRemove(String name) {
    return run("message", name, "0", "@cancel_deferred_remove").ok();
  }

  /** Creates a missing {@code /dev/mapper} node for an existing device (no udev on the host). */
  public void mknodes(String name) {
    Outcome o = run("mknodes", name);
    if (!o.ok()) {
      throw failure("mknodes " + name, o);
    }
  }

  /** The device's info, or empty if no device has that name. */
  public Optional<DeviceInfo> info(String name) {
    Outcome o = run(infoArgs(name));
    if (o.ok()) {
      String line = o.result().stdout().strip();
      return line.isEmpty() ? Optional.empty() : Optional.of(DeviceInfo.parse(line));
    }
    if (o.errno() == Errno.ENXIO || o.errno() == Errno.ENOENT) {
      return Optional.empty();
    }
    throw failure("info " + name, o);
  }

  /** Every device-mapper device on the host (the caller filters by name). */
  public List<DeviceInfo> infoAll() {
    Outcome o = run(infoArgs(null));
    if (!o.ok()) {
      throw failure("info", o);
    }
    List<DeviceInfo> out = new ArrayList<>();
    for (String line : o.result().stdout().split("\n")) {
      if (!line.isBlank() && !line.strip().equals(NO_DEVICES)) {
        out.add(DeviceInfo.parse(line));
      }
    }
    return out;
  }

  private static String[] infoArgs(String name) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "info",
                "-c",
                "--noheadings",
                "-o",
                "name,major,minor,attr,open",
                "--separator",
                " "));
    if (name != null) {
      a.add(name);
    }
    return a.toArray(String[]::new);
  }

  /** The parsed status of one device. */
  public DmStatus status(String name) {
    Outcome o = run("status", name);
    if (!o.ok()) {
      throw failure("status " + name, o);
    }
    return DmStatusParser.parse(o.result().stdout().strip());
  }

  /**
   * The raw status line of every device, by name, in one call ({@code <name>: <line>}). Lines of
   * targets we do not parse are kept raw; the caller parses the ones it owns.
   */
  public Map<String, String> statusAll() {
    Outcome o = run("status");
    if (!o.ok()) {
      throw failure("status", o);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : o.result().stdout().split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 2).strip());
      }
    }
    return out;
  }

  /**
   * The live table lines of every device with a {@code target} segment, in one call, as (device
   * name, line) pairs: one pair per segment.
   */
  public List<Map.Entry<String, String>> tablesAll(String target) {
    Outcome o = run("table", "--target", target);
    if (!o.ok()) {
      throw failure("table --target " + target, o);
    }
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String line : o.result().stdout().split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        out.add(Map.entry(line.substring(0, colon), line.substring(colon + 2).strip()));
      }
    }
    return out;
  }

  /** The live table of a device, or empty if the device does not exist. */
  public Optional<String> table(String name) {
    Outcome o = run("table", name);
    if (o.ok()) {
      return Optional.of(o.result().stdout().strip());
    }
    if (o.errno() == Errno.ENXIO || o.errno() == Errno.ENOENT) {
      return Optional.empty();
    }
    throw failure("table " + name, o);
  }

  private void pause() {
    try {
      Thread.sleep(busyDelay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ThinImageException.transientFailure("command-interrupted", "interrupted", e);
    }
  }

  /** Maps a failed dmsetup call to the port's error kinds by errno, never by message text. */
  static ThinImageException failure(String what, Outcome o) {
    Errno e = o.errno() == null ? Errno.UNKNOWN : o.errno();
    String msg =
        "dmsetup " + what + " failed (" + e + "): " + o.result().diagnostics().replace('\n', ' ');
    return switch (e) {
      case EBUSY -> new ThinImageException(ErrorKind.TRANSIENT, "dm-busy", msg);
      case ENOSPC -> new ThinImageException(ErrorKind.UNSAFE, "pool-no-space", msg);
      case ENXIO, ENOENT, ENODEV ->
          new ThinImageException(ErrorKind.NOT_FOUND, "dm-device-missing", msg);
      case ENODATA -> new ThinImageException(ErrorKind.NOT_FOUND, "dm-thin-missing", msg);
      case EEXIST -> new ThinImageException(ErrorKind.CONFLICT, "dm-exists", msg);
      case EPERM, EACCES -> new ThinImageException(ErrorKind.UNSAFE, "dm-permission-denied", msg);
      case EIO, EROFS -> new ThinImageException(ErrorKind.UNSAFE, "dm-io-error", msg);
      case ENOMEM, ETIMEDOUT -> new ThinImageException(ErrorKind.TRANSIENT, "dm-no-resources", msg);
      default -> new ThinImageException(ErrorKind.INTERNAL, "dm-command-failed", msg);
    };
  }
}
