package io.thinimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** An {@link Error} out of a command is one line and exit 1, never a stack trace. */
class UncaughtErrorsTest {

  /** Throws what its argument names. */
  @Command(name = "explode")
  static final class Explode implements Callable<Integer> {
    @CommandLine.Parameters(index = "0")
    String what;

    @Override
    public Integer call() {
      switch (what) {
        case "oom" -> throw new OutOfMemoryError("Java heap space");
        case "stack" -> throw new StackOverflowError();
        case "linkage" -> throw new NoClassDefFoundError("io/thinimage/Missing");
        default -> throw new IllegalStateException("unexpected " + what);
      }
    }
  }

  private static String run(String what, int expectedCode) {
    StringWriter err = new StringWriter();
    CommandLine cl =
        ThinimageCli.commandLine(
            List.of(Explode.class), new PrintWriter(new StringWriter()), new PrintWriter(err));
    int code = ThinimageCli.guarded(cl, new String[] {"explode", what});
    assertThat(code).isEqualTo(expectedCode);
    assertThat(err.toString().lines()).as(err.toString()).hasSize(1);
    assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    return err.toString();
  }

  @Test
  void outOfMemoryIsOneLineWithAHeapHint() {
    assertThat(run("oom", 1))
        .startsWith("thinimage: internal error: OutOfMemoryError: Java heap space; hint: ")
        .contains("-Xmx")
        .contains("(details in the log)");
  }

  @Test
  void stackOverflowIsOneLineWithAStackHint() {
    assertThat(run("stack", 1)).contains("internal error: StackOverflowError").contains("-Xss");
  }

  @Test
  void anyOtherErrorIsOneLineToo() {
    assertThat(run("linkage", 1))
        .contains(
            "internal error: NoClassDefFoundError: io/thinimage/Missing; hint: this is a bug");
    assertThat(run("other", 1)).contains("internal error: IllegalStateException: unexpected other");
  }
}
