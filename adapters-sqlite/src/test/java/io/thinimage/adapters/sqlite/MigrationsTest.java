package io.thinimage.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

class MigrationsTest {
  @TempDir Path dir;

  @Test
  void filesAreNumberedFromOneWithoutGaps() {
    for (int i = 0; i < Migrations.FILES.size(); i++) {
      assertThat(Migrations.FILES.get(i)).startsWith("V" + (i + 1) + "__").endsWith(".sql");
      assertThat(Migrations.load(Migrations.FILES.get(i))).isNotBlank();
    }
  }

  @Test
  void splitsStatementsAtLineEndSemicolonsAndDropsComments() {
    assertThat(
            Migrations.statements("-- c\nCREATE TABLE a (\n  x INTEGER -- why\n);\n\nSELECT 1;\n"))
        .containsExactly("CREATE TABLE a (\n  x INTEGER -- why\n);", "SELECT 1;");
    assertThatThrownBy(() -> Migrations.statements("SELECT 1"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void migratesOnceThenOnlyReadsTheVersion() throws Exception {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + dir.resolve("m.db"))) {
      assertThat(Migrations.migrate(c, "m.db")).isZero();
      assertThat(Migrations.migrate(c, "m.db")).isEqualTo(Migrations.LATEST);
      assertThat(Jdbc.number(c, "PRAGMA user_version")).isEqualTo(Migrations.LATEST);
      assertThat(Jdbc.number(c, "SELECT last_thin_id FROM thin_id_counter")).isZero();
    }
  }

  @Test
  void everyTableIsStrict() throws Exception {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + dir.resolve("s.db"))) {
      Migrations.migrate(c, "s.db");
      List<String> notStrict = new ArrayList<>();
      try (var ps =
              c.prepareStatement(
                  "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'");
          var rs = ps.executeQuery()) {
        int tables = 0;
        while (rs.next()) {
          tables++;
          if (rs.getInt("strict") != 1) {
            notStrict.add(rs.getString("name"));
          }
        }
        assertThat(tables).isEqualTo(9);
      }
      assertThat(notStrict).isEmpty();
    }
  }

  @Test
  void everyListingAndCountUsesAnIndex() throws Exception {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + dir.resolve("q.db"))) {
      Migrations.migrate(c, "q.db");
      for (String q :
          List.of(
              "SELECT count(*) FROM images WHERE state = 'READY'",
              "SELECT count(*) FROM volumes WHERE kind = 'CHAIN'",
              "SELECT count(*) FROM activations WHERE state = 'ACTIVE'",
              "SELECT count(*) FROM fsm_runs WHERE status = 'FAILED'",
              "SELECT * FROM fsm_runs WHERE status = 'ACTIVE' ORDER BY created_at, id",
              "SELECT * FROM fsm_runs WHERE parent_id = 'x' ORDER BY created_at, id",
              "SELECT * FROM fsm_runs ORDER BY created_at DESC, id DESC LIMIT 5",
              "SELECT * FROM activations WHERE image_id = 'x' ORDER BY created_at DESC, id DESC",
              "SELECT * FROM volumes WHERE kind = 'CHAIN' AND chain = 'x'",
              "SELECT digest FROM blob_sources WHERE store = 's' AND key = 'k' AND etag = 'e'",
              "SELECT s.digest FROM blob_sources s JOIN blobs b ON b.digest = s.digest"
                  + " WHERE s.store = 's' AND s.etag = 'e' AND b.size = 1 ORDER BY s.digest LIMIT 1")) {
        StringBuilder plan = new StringBuilder();
        try (var ps = c.prepareStatement("EXPLAIN QUERY PLAN " + q);
            var rs = ps.executeQuery()) {
          while (rs.next()) {
            plan.append(rs.getString("detail")).append('\n');
          }
        }
        // An index walk ("SCAN t USING INDEX") is fine; a bare table scan or a sort is not.
        assertThat(plan.toString())
            .as(q)
            .doesNotContainPattern("SCAN \\w+\\n")
            .doesNotContain("TEMP B-TREE");
      }
    }
  }
}
