package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/**
 * Every pooled connection carries the PRAGMAs, not only the first one: the seed set them once on a
 * pool and its other connections ran without them.
 */
class SqlitePragmasTest {
  @TempDir Path dir;

  private static Map<String, String> pragmas(Connection c) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : List.of("journal_mode", "synchronous", "busy_timeout", "foreign_keys")) {
      out.put(p, Jdbc.text(c, "PRAGMA " + p));
    }
    return out;
  }

  private static Map<String, String> expected(String synchronous) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("journal_mode", "wal");
    m.put("synchronous", synchronous);
    m.put("busy_timeout", "10000");
    m.put("foreign_keys", "1");
    return m;
  }

  /** Borrows every connection of the pool at once, so each one is a distinct connection. */
  private static List<Map<String, String>> everyConnection(HikariDataSource pool, int size)
      throws SQLException {
    List<Connection> held = new ArrayList<>();
    Set<SQLiteConnection> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    try {
      List<Map<String, String>> out = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Connection c = pool.getConnection();
        held.add(c);
        distinct.add(c.unwrap(SQLiteConnection.class));
        out.add(pragmas(c));
      }
      assertThat(distinct).hasSize(size);
      return out;
    } finally {
      for (Connection c : held) {
        c.close();
      }
    }
  }

  @Test
  void everyWriterAndReaderConnectionHasThePragmas() throws Exception {
    try (SqliteImageRepository repo = SqliteImageRepository.open(dir.resolve("a.db"))) {
      int readers = repo.options().readPoolSize();

      assertThat(everyConnection(repo.writerPool(), 1)).containsExactly(expected("2"));
      assertThat(everyConnection(repo.readerPool(), readers))
          .hasSize(readers)
          .allSatisfy(p -> assertThat(p).isEqualTo(expected("2")));
      assertThat(repo.writerPool().getHikariConfigMXBean().getMaximumPoolSize()).isEqualTo(1);
    }
  }

  @Test
  void aReplacedConnectionGetsThemToo() throws Exception {
    try (SqliteImageRepository repo = SqliteImageRepository.open(dir.resolve("a.db"))) {
      SQLiteConnection first;
      try (Connection c = repo.writerPool().getConnection()) {
        first = c.unwrap(SQLiteConnection.class);
        repo.writerPool().evictConnection(c);
      }
      try (Connection c = repo.writerPool().getConnection()) {
        assertThat(c.unwrap(SQLiteConnection.class)).isNotSameAs(first);
        assertThat(pragmas(c)).isEqualTo(expected("2"));
      }
    }
  }

  @Test
  void normalSynchronousIsAnOptionForMeasurements() throws Exception {
    SqliteOptions normal =
        SqliteOptions.defaults().withSynchronous(SqliteOptions.Synchronous.NORMAL);
    try (SqliteImageRepository repo = SqliteImageRepository.open(dir.resolve("n.db"), normal)) {
      assertThat(everyConnection(repo.writerPool(), 1)).containsExactly(expected("1"));
      assertThat(everyConnection(repo.readerPool(), normal.readPoolSize()))
          .allSatisfy(p -> assertThat(p).isEqualTo(expected("1")));
    }
  }

  @Test
  void readerConnectionsCannotWrite() throws Exception {
    try (SqliteImageRepository repo = SqliteImageRepository.open(dir.resolve("a.db"));
        Connection c = repo.readerPool().getConnection()) {
      assertThatThrownBy(() -> Jdbc.exec(c, "DELETE FROM images"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("readonly");
    }
  }
}
