package io.thinimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.commands.ListImagesCommand;
import io.thinimage.cli.commands.ListSnapshotsCommand;
import io.thinimage.cli.commands.ProcessImageCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A run builds only the command it invokes, and nobody can tell from its behaviour. */
class ThinimageCliTest {

  private static int subcommandsFor(String... args) {
    return ThinimageCli.invoked(args).size();
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ThinimageCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void aNamedCommandOrAliasIsBuiltAlone() {
    assertThat(ThinimageCli.invoked(new String[] {"process-image", "--s3-key", "k/"}))
        .containsExactly(ProcessImageCommand.class);
    assertThat(ThinimageCli.invoked(new String[] {"list-images"}))
        .containsExactly(ListImagesCommand.class);
    assertThat(ThinimageCli.invoked(new String[] {"list-activations"}))
        .containsExactly(ListSnapshotsCommand.class);
  }

  @Test
  void helpCompletionRootOptionsAndUnknownWordsSeeEveryCommand() {
    int all = subcommandsFor();
    assertThat(all).isEqualTo(15);
    assertThat(subcommandsFor("help", "gc")).isEqualTo(all);
    assertThat(subcommandsFor("generate-completion")).isEqualTo(all);
    assertThat(subcommandsFor("--help")).isEqualTo(all);
    assertThat(subcommandsFor("--version")).isEqualTo(all);
    assertThat(subcommandsFor("list-imagez")).isEqualTo(all);
  }

  @Test
  void aCommandsHelpIsTheSameAsWithEveryCommandBuilt() {
    StringWriter full = new StringWriter();
    CommandLine all =
        ThinimageCli.commandLine(new PrintWriter(full), new PrintWriter(new StringWriter()));
    assertThat(all.execute("gc", "--help")).isZero();
    String[] lazy = run("gc", "--help");
    assertThat(lazy[0]).isEqualTo("0");
    assertThat(lazy[1]).isEqualTo(full.toString()).contains("Usage: thinimage gc");
  }

  @Test
  void rootHelpListsEveryVisibleCommandAndAMistypedOneIsAUsageErrorWithASuggestion() {
    String[] help = run("--help");
    assertThat(help[0]).isEqualTo("0");
    assertThat(help[1])
        .contains("process-image", "list-snapshots", "analyze-s3", "monitor", "daemon", "help")
        .doesNotContain("generate-completion");
    String[] typo = run("list-imagez");
    assertThat(typo[0]).isEqualTo("2");
    assertThat(typo[2]).contains("list-images");
  }
}
