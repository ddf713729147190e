package io.thinimage.cli.support;

import io.thinimage.core.domain.ThinImageException;

/**
 * A short hint for an error, chosen by its kind and, for a few well-known codes, its code. Never by
 * message text.
 */
final class Hints {
  private Hints() {}

  static String forError(ThinImageException e) {
    switch (e.code()) {
      case "data-dir-locked":
        return "another thinimage process is working on this data dir; retry without --no-wait to"
            + " wait for it";
      case "data-dir-unusable":
        return "pass a writable --data-dir (or THINIMAGE_DATA_DIR), or run as root";
      case "image-has-activations":
        return "deactivate its snapshots first (thinimage list-snapshots)";
      case "adapter-missing":
      case "not-implemented":
        return "this build does not include that part yet";
      case "bad-option":
        return "see thinimage <command> --help";
      case "store-corrupt":
        return "the database file was left as it is; restore a copy made by thinimage backup"
            + " (docs/operations.md, Backups)";
      case "store-busy":
        return "another process holds the database (an outside sqlite3?); close it and run the"
            + " same command again";
      case "daemon-store-mismatch":
        return "pass the daemon's --store, or stop the daemon to work on another store";
      case "step-out-of-memory":
        return "raise the heap with THINIMAGE_JAVA_OPTS=-Xmx... if the input is legitimate"
            + " (docs/operations.md, Memory); the run was failed and undone";
      case "step-stack-overflow":
        return "raise the thread stack with THINIMAGE_JAVA_OPTS=-Xss... if the input is"
            + " legitimate (docs/operations.md, Memory); the run was failed and undone";
      case "step-attempts-exhausted":
        return "the process kept ending inside this step (the log says why: out of memory, killed);"
            + " fix that and run the command again, it starts a new run";
      case "compensation-exhausted":
        return "thinimage gc lists what the run left behind and gc --force removes it";
      case "daemon-unreachable":
        return "the daemon stopped answering; check it (systemctl status thinimage) and retry";
      default:
        break;
    }
    switch (e.kind()) {
      case NOT_FOUND:
        return "check the name; list-images, list-snapshots and analyze-s3 show what exists";
      case INVALID_INPUT:
        return "the input was refused and nothing of it was kept; see the log for details";
      case UNSAFE:
        return "the host or pool is not safe for changes now; thinimage status shows why";
      case TRANSIENT:
        return "a temporary failure outlived the retries; run the same command again to resume";
      case CONFLICT:
        return "the current state does not allow this; thinimage status shows it";
      case INTERNAL:
      default:
        return "this is a bug; the log file has the details";
    }
  }
}
