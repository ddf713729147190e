package io.thinimage.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.engine.Run;
import io.thinimage.core.testing.FakeWorld;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageManager#result}: what a submitted run produced, read after it finished. */
class ImageManagerResultTest {
  @TempDir Path dir;

  @Test
  void aSubmittedRunsResultIsWhatProcessWouldHaveReturned() throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    Run run = m.submit(new ImageReference("images/go/"), ProcessOptions.defaults());
    Run done = awaitFinished(m, run.id());

    ProcessResult r = m.result(done.id());

    assertThat(r.runId()).isEqualTo(run.id());
    assertThat(r.blobsDownloaded()).isEqualTo(3);
    assertThat(r.volumesBuilt()).isEqualTo(3);
    assertThat(r.alreadyDone()).isFalse();
    assertThat(r.activation().imageId()).isEqualTo(r.image().id());

    ProcessResult again =
        m.process(
            new ImageReference("images/go/"), ProcessOptions.defaults(), ProgressListener.none());
    assertThat(m.result(again.runId()).alreadyDone()).isTrue();
    assertThat(m.result(again.runId()).activation().id()).isEqualTo(r.activation().id());
  }

  @Test
  void anUnknownRunIsNotFoundAndAFailedRunGivesItsOwnError() throws Exception {
    FakeWorld w = Scenarios.twoFamilies(dir);
    ImageManager m = w.manager();
    assertThatThrownBy(() -> m.result("no-such-run"))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));

    Run missing = m.submit(new ImageReference("images/absent/"), ProcessOptions.defaults());
    awaitFinished(m, missing.id());
    assertThatThrownBy(() -> m.result(missing.id()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  private static Run awaitFinished(ImageManager m, String runId) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      Run r = m.findRun(runId).orElseThrow();
      if (!r.status().isActive()) {
        return r;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("run " + runId + " did not finish");
  }
}
