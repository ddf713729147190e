package io.thinimage.core.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.testing.FakeWorld;
import io.thinimage.core.testing.TarLayers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code of {@code docs/EMBEDDING.md}, compiled and run: a user's unit test of their own code
 * against thinimage's fakes, using only the public API. The last test checks that every Java block
 * in the document is text of this file, so the document cannot drift from code that works.
 */
class EmbeddingExampleTest {
  @TempDir Path tmp;

  // tag::fakes[]
  /** The user's own code: it provisions a VM's root filesystem through thinimage. */
  static final class VmProvisioner {
    private final ImageManager images;

    VmProvisioner(ImageManager images) {
      this.images = images;
    }

    String rootDeviceFor(String family) {
      ProcessResult r =
          images.process(
              new ImageReference("images/" + family + "/"),
              ProcessOptions.defaults(),
              ProgressListener.none());
      return r.activation().devicePath();
    }
  }

  @Test
  void provisionsARootDeviceFromTwoLayers() {
    FakeWorld world = new FakeWorld(tmp); // in-memory store, bucket and pool; a hand-moved clock
    world
        .objects()
        .put("images/app/1.tar", TarLayers.layer().file("etc/os-release", "ID=x\n").build());
    world.objects().put("images/app/2.tar", TarLayers.layer().file("srv/app", "v1").build());
    ImageManager images = world.manager();

    String device = new VmProvisioner(images).rootDeviceFor("app");

    assertThat(device).isNotBlank();
    assertThat(images.listImages())
        .singleElement()
        .extracting(i -> i.state())
        .isEqualTo(ImageState.READY);
    assertThat(images.listActivations())
        .singleElement()
        .extracting(a -> a.state())
        .isEqualTo(ActivationState.ACTIVE);
    // a second call is idempotent: same device, nothing fetched again
    assertThat(new VmProvisioner(images).rootDeviceFor("app")).isEqualTo(device);
    assertThat(world.objects().getCount()).isEqualTo(2);
  }

  // end::fakes[]

  // tag::failures[]
  @Test
  void surfacesAnUnreachableStoreAsATypedError() {
    FakeWorld world = new FakeWorld(tmp);
    world.objects().put("images/app/1.tar", TarLayers.layer().file("a", "b").build());
    world
        .objects()
        .failNext(
            9, io.thinimage.core.domain.ThinImageException.transientFailure("net", "reset", null));
    ImageManager images = world.manager();

    var error =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            io.thinimage.core.domain.ThinImageException.class,
            () -> new VmProvisioner(images).rootDeviceFor("app"));

    assertThat(error.kind()).isEqualTo(io.thinimage.core.domain.ErrorKind.TRANSIENT);
    assertThat(error.kind().exitCode()).isEqualTo(6);
  }

  // end::failures[]

  @Test
  void everyJavaBlockOfTheEmbeddingGuideIsCodeThatRuns() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "EMBEDDING.md"));
    String here =
        normalise(
            Files.readString(
                Path.of("src/test/java/io/thinimage/core/examples/EmbeddingExampleTest.java")));
    String guice = Files.exists(GUICE_EXAMPLE) ? normalise(Files.readString(GUICE_EXAMPLE)) : "";
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).isNotEmpty();
    for (String block : blocks) {
      String b = normalise(block);
      assertThat(here.contains(b) || guice.contains(b))
          .as("docs/EMBEDDING.md block is not in a compiled example:\n" + block)
          .isTrue();
    }
  }

  private static final Path GUICE_EXAMPLE =
      Path.of(
          "..",
          "wiring",
          "src",
          "test",
          "java",
          "io",
          "thinimage",
          "wiring",
          "EmbeddingGuiceExampleTest.java");

  private static String normalise(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
