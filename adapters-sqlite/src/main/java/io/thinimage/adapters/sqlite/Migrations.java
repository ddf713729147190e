package io.thinimage.adapters.sqlite;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations: numbered SQL files under {@code db/migration/} on the class path,
 * applied in order in one transaction, with {@code PRAGMA user_version} recording the schema
 * version. Re-running on an up-to-date store costs one pragma read (no Flyway start-up).
 */
final class Migrations {
  /** Every migration, in order; file {@code i} takes the store to version {@code i + 1}. */
  static final List<String> FILES = List.of("V1__init.sql", "V2__blob_sources_by_etag.sql");

  static final int LATEST = FILES.size();

  private Migrations() {}

  /** Brings the store to {@link #LATEST}; returns the version found before. */
  static int migrate(Connection c, String location) throws SQLException {
    int current = (int) Jdbc.number(c, "PRAGMA user_version");
    if (current > LATEST) {
      throw ThinImageException.invalid(
          "store-schema-too-new",
          "the database "
              + location
              + " has schema version "
              + current
              + " but this build knows only up to "
              + LATEST
              + "; use a newer thinimage");
    }
    if (current == LATEST) {
      return current;
    }
    Jdbc.exec(c, "BEGIN IMMEDIATE");
    boolean done = false;
    try {
      // Read again under the write lock: another process may have migrated meanwhile.
      int locked = (int) Jdbc.number(c, "PRAGMA user_version");
      for (int v = locked + 1; v <= LATEST; v++) {
        for (String statement : statements(load(FILES.get(v - 1)))) {
          Jdbc.exec(c, statement);
        }
        Jdbc.exec(c, "PRAGMA user_version = " + v);
      }
      Jdbc.exec(c, "COMMIT");
      done = true;
      return current;
    } finally {
      if (!done) {
        Jdbc.exec(c, "ROLLBACK");
      }
    }
  }

  static String load(String file) {
    String path = "db/migration/" + file;
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("migration missing from the class path: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Splits a script into statements: a statement ends with a semicolon at the end of a line; {@code
   * --} comment lines are dropped. Our scripts keep to that (no triggers).
   */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("migration ends without a semicolon: " + current);
    }
    return out;
  }
}
