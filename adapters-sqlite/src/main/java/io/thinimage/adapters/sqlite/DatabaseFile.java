package io.thinimage.adapters.sqlite;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * Checks of a database file before anything writes to it. A file that is not a database, or is cut
 * short, is refused from its header alone, so not even a WAL is created next to it; a file whose
 * header is sound gets {@code PRAGMA quick_check} on a read-only connection.
 */
final class DatabaseFile {
  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_SIZE = 100;

  private DatabaseFile() {}

  /** The WAL file SQLite keeps beside {@code db}. */
  static Path wal(Path db) {
    return db.resolveSibling(db.getFileName() + "-wal");
  }

  static Path shm(Path db) {
    return db.resolveSibling(db.getFileName() + "-shm");
  }

  /**
   * Refuses a file that exists and is not a sound SQLite database; a missing or empty one passes.
   */
  static void verifyExisting(Path db) {
    long size;
    try {
      if (!Files.exists(db)) {
        return;
      }
      size = Files.size(db);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + db, e);
    }
    if (size == 0) {
      return; // SQLite's own "new database": created but never written
    }
    checkHeader(db, size);
    quickCheck(db);
  }

  private static void checkHeader(Path db, long size) {
    if (size < HEADER_SIZE) {
      throw corrupt(db, "it is " + size + " bytes, shorter than a SQLite header");
    }
    byte[] header = new byte[HEADER_SIZE];
    try (InputStream in = Files.newInputStream(db)) {
      if (in.readNBytes(header, 0, HEADER_SIZE) != HEADER_SIZE) {
        throw corrupt(db, "its header could not be read");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + db, e);
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (header[i] != MAGIC[i]) {
        throw corrupt(db, "it is not a SQLite database");
      }
    }
    ByteBuffer b = ByteBuffer.wrap(header);
    int rawPageSize = Short.toUnsignedInt(b.getShort(16));
    int pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
    if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
      throw corrupt(db, "its header has an impossible page size " + rawPageSize);
    }
    if (walHasContent(db)) {
      // A crash during a checkpoint can leave the file short of its header's page count; the WAL
      // still holds those pages and SQLite finishes the job. quick_check judges such a file.
      return;
    }
    if (size % pageSize != 0) {
      throw corrupt(
          db, "its size " + size + " is not a whole number of " + pageSize + "-byte pages");
    }
    long changeCounter = Integer.toUnsignedLong(b.getInt(24));
    long pageCount = Integer.toUnsignedLong(b.getInt(28));
    long validFor = Integer.toUnsignedLong(b.getInt(92));
    if (pageCount > 0 && changeCounter == validFor && pageCount * pageSize > size) {
      throw corrupt(
          db, "it is truncated: " + size + " bytes of " + pageCount * pageSize + " expected");
    }
  }

  private static boolean walHasContent(Path db) {
    try {
      Path wal = wal(db);
      return Files.exists(wal) && Files.size(wal) > 0;
    } catch (IOException e) {
      return true;
    }
  }

  private static void quickCheck(Path db) {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    List<String> problems;
    try (Connection c = config.createConnection("jdbc:sqlite:" + db)) {
      problems = check(c, "PRAGMA quick_check");
    } catch (SQLException e) {
      ThinImageException mapped = SqlErrors.map(e, "checking " + db);
      if (mapped.code().equals("store-corrupt")) {
        throw corrupt(db, "SQLite reports: " + e.getMessage());
      }
      throw mapped;
    }
    if (!problems.isEmpty()) {
      throw corrupt(db, "quick_check found: " + String.join("; ", problems));
    }
  }

  /** Runs an integrity or quick check; the problems found, empty when the answer is "ok". */
  static List<String> check(Connection c, String pragma) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(pragma)) {
      while (rs.next()) {
        String line = rs.getString(1);
        if (!"ok".equals(line)) {
          out.add(line);
        }
      }
    }
    return out;
  }

  static ThinImageException corrupt(Path db, String why) {
    return ThinImageException.invalid(
        "store-corrupt",
        "the database "
            + db.toAbsolutePath()
            + " is unusable: "
            + why
            + ". It was left untouched; restore a backup (thinimage backup writes them) or move"
            + " the file aside to start empty. Never delete its -wal file.");
  }
}
