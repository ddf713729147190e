package io.thinimage.cli.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.ThinimageCli;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExitCodesTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({
    "NOT_FOUND, 3",
    "INVALID_INPUT, 4",
    "UNSAFE, 5",
    "TRANSIENT, 6",
    "CONFLICT, 7",
    "INTERNAL, 1"
  })
  void eachErrorKindHasItsDocumentedCode(ErrorKind kind, int code) {
    assertThat(ExitCodes.of(new ThinImageException(kind, "some-code", "msg"))).isEqualTo(code);
  }

  @Test
  void anythingElseIsAnInternalError() {
    assertThat(ExitCodes.of(new IllegalStateException("bug"))).isEqualTo(1);
    assertThat(ExitCodes.USAGE).isEqualTo(2);
    assertThat(ExitCodes.OK).isZero();
  }

  @Test
  void aCoreErrorIsOneLineWithKindCodeCauseAndHint() {
    StringWriter err = new StringWriter();
    int code =
        new ErrorReporter()
            .report(
                ThinImageException.notFound("key-not-found", "no object\nimages/x/1.tar"),
                new PrintWriter(err));
    assertThat(code).isEqualTo(3);
    assertThat(err.toString())
        .isEqualTo(
            "thinimage: not-found [key-not-found]: no object images/x/1.tar; hint: check the name;"
                + " list-images, list-snapshots and analyze-s3 show what exists\n");
  }

  @Test
  void aCorruptStoreIsNotToldThatNothingWasKept() {
    StringWriter err = new StringWriter();
    int code =
        new ErrorReporter()
            .report(
                ThinImageException.invalid("store-corrupt", "the database is damaged"),
                new PrintWriter(err));
    assertThat(code).isEqualTo(4);
    assertThat(err.toString())
        .contains("hint: the database file was left as it is; restore a copy made by thinimage")
        .doesNotContain("nothing of it was kept");
  }

  @Test
  void anInternalErrorPrintsNoStackTrace() {
    StringWriter err = new StringWriter();
    int code = new ErrorReporter().report(new NullPointerException("boom"), new PrintWriter(err));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString())
        .contains("internal error: NullPointerException: boom")
        .doesNotContain("\tat ");
  }

  @Test
  void hostileReferenceThroughTheWholeCommandLineExitsFour() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        ThinimageCli.execute(
            new String[] {
              "process-image",
              "--s3-key",
              "images/../etc/",
              "--data-dir",
              tmp.toString(),
              "--store",
              "file://" + tmp,
              "--pool-driver",
              "directory"
            },
            new PrintWriter(out),
            new PrintWriter(err));
    assertThat(code).isEqualTo(4);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("thinimage: invalid-input [bad-reference]: ");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void unknownFlagAndMissingCommandAreUsageErrors() {
    StringWriter err = new StringWriter();
    assertThat(
            ThinimageCli.execute(
                new String[] {"list-images", "--bogus"},
                new PrintWriter(new StringWriter()),
                new PrintWriter(err)))
        .isEqualTo(2);
    assertThat(err.toString()).startsWith("thinimage: usage: Unknown option: '--bogus'");
    assertThat(
            ThinimageCli.execute(
                new String[] {}, new PrintWriter(new StringWriter()), new PrintWriter(err)))
        .isEqualTo(2);
    assertThat(
            ThinimageCli.execute(
                new String[] {"process-image", "--data-dir", tmp.toString()},
                new PrintWriter(new StringWriter()),
                new PrintWriter(err)))
        .isEqualTo(2);
  }

  @Test
  void gcDryRunAndForceExcludeEachOther() {
    StringWriter err = new StringWriter();
    int code =
        ThinimageCli.execute(
            new String[] {"gc", "--dry-run", "--force", "--data-dir", tmp.toString()},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("thinimage: usage: ").contains("mutually exclusive");
  }
}
