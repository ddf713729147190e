package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.engine.FsmDefinition;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generates {@code docs/state-machines.md} from the tables. If the committed file is stale the test
 * rewrites it and fails, so a table change cannot land with an out-of-date diagram.
 */
class StateDiagramsTest {
  @TempDir Path tmp;

  @Test
  void docsShowTheCurrentTables() throws Exception {
    DefaultImageManager m = (DefaultImageManager) new FakeWorld(tmp).manager();
    var sb = new StringBuilder();
    sb.append("# State machines\n\n")
        .append(
            "Generated from the tables in `core` by `StateDiagramsTest`; do not edit by hand.\n")
        .append(
            "Every working state also has a `PERMANENT_FAILURE` row to its compensation state,\n")
        .append("whose step undoes the run's effects idempotently and ends in the failed state.\n");
    for (FsmDefinition<?, ?> def : m.engine().definitions()) {
      sb.append("\n## `")
          .append(def.type())
          .append("`\n\n```mermaid\n")
          .append(def.toMermaid())
          .append("```\n");
      sb.append("\n| from | event | to |\n|---|---|---|\n");
      for (var row : def.rows()) {
        sb.append("| ")
            .append(row.from())
            .append(" | ")
            .append(row.event())
            .append(" | ")
            .append(row.to())
            .append(" |\n");
      }
    }
    Path docs = Path.of("..", "docs", "state-machines.md");
    String generated = sb.toString();
    String current = Files.exists(docs) ? Files.readString(docs) : "";
    if (!current.equals(generated)) {
      Files.createDirectories(docs.getParent());
      Files.writeString(docs, generated);
    }
    assertThat(current)
        .as("docs/state-machines.md was stale and has been regenerated; commit it")
        .isEqualTo(generated);
  }
}
