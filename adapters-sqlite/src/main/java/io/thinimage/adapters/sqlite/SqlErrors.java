package io.thinimage.adapters.sqlite;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns SQLite's result codes into typed errors; nothing downstream reads driver messages. */
final class SqlErrors {
  private SqlErrors() {}

  static ThinImageException map(SQLException e, String doing) {
    String message = doing + ": " + e.getMessage();
    if (!(e instanceof SQLiteException)) {
      return new ThinImageException(ErrorKind.INTERNAL, "store-error", message, e);
    }
    SQLiteErrorCode code = ((SQLiteException) e).getResultCode();
    String name = code.name();
    if (name.startsWith("SQLITE_BUSY") || name.startsWith("SQLITE_LOCKED")) {
      // Only another process can hold the lock this long: ours are serialised.
      return new ThinImageException(ErrorKind.TRANSIENT, "store-busy", message, e);
    }
    if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
        || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE) {
      return new ThinImageException(ErrorKind.CONFLICT, "row-exists", message, e);
    }
    if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY) {
      return new ThinImageException(ErrorKind.NOT_FOUND, "row-not-found", message, e);
    }
    if (name.startsWith("SQLITE_CONSTRAINT")) {
      return new ThinImageException(ErrorKind.INVALID_INPUT, "store-constraint", message, e);
    }
    if (name.startsWith("SQLITE_CORRUPT") || code == SQLiteErrorCode.SQLITE_NOTADB) {
      return new ThinImageException(ErrorKind.INVALID_INPUT, "store-corrupt", message, e);
    }
    if (name.startsWith("SQLITE_IOERR") || code == SQLiteErrorCode.SQLITE_FULL) {
      return new ThinImageException(ErrorKind.TRANSIENT, "store-io", message, e);
    }
    return new ThinImageException(ErrorKind.INTERNAL, "store-error", message, e);
  }
}
