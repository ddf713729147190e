package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import io.thinimage.core.layer.LayerTar;
import io.thinimage.core.layer.RootFilesystem;
import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random layer sequences applied to a real directory ({@link NioRootFilesystem}) and to the
 * in-memory model: after every layer both must hold the same tree, or both must refuse the layer
 * with the same code; and nothing outside the real root may change.
 */
class LayerSeamEquivalenceTest {

  /** One tar entry of a random layer. */
  record Op(String kind, String name, String arg, int mode, int uid) {}

  private static final List<String> NAMES = List.of("a", "b", "c", "a..b");

  @Property(tries = 300)
  void nioAndModelAgree(@ForAll("layers") List<List<Op>> layers) throws IOException {
    Path tmp = Files.createTempDirectory("layer-eq");
    try {
      Path root = Files.createDirectory(tmp.resolve("root"));
      Files.createDirectories(tmp.resolve("outside/etc"));
      Files.writeString(tmp.resolve("outside/etc/passwd"), "sentinel", StandardCharsets.UTF_8);
      Map<String, String> outsideBefore = NioTrees.snapshot(tmp.resolve("outside"));
      RootFilesystem nio = new NioRootFilesystem(root);
      InMemoryRootFilesystem model = new InMemoryRootFilesystem(nio.privileged());
      LayerApplier applier = new LayerApplier(LayerLimits.defaults(), Clock.systemUTC());
      for (List<Op> ops : layers) {
        byte[] tar = build(ops);
        String nioOutcome = outcome(applier, tar, nio);
        String modelOutcome = outcome(applier, tar, model);
        // Hostile input must never look like a failing filesystem.
        assertThat(nioOutcome).as("outcome for %s", ops).doesNotStartWith("TRANSIENT");
        assertThat(nioOutcome).as("outcome for %s", ops).isEqualTo(modelOutcome);
        Statistics.collect(nioOutcome);
        if (!nioOutcome.equals("ok")) {
          break; // a refused layer leaves a half-written root that is thrown away
        }
        assertThat(NioTrees.describe(root)).as("tree after %s", ops).isEqualTo(model.describe());
      }
      assertThat(NioTrees.snapshot(tmp.resolve("outside"))).isEqualTo(outsideBefore);
    } finally {
      deleteTree(tmp);
    }
  }

  private static String outcome(LayerApplier applier, byte[] tar, RootFilesystem fs) {
    try {
      applier.apply(new ByteArrayInputStream(tar), LayerTar.digest(tar), fs);
      return "ok";
    } catch (ThinImageException e) {
      return e.kind() + " " + e.code() + (e.kind().retryable() ? " " + e.getMessage() : "");
    }
  }

  private static byte[] build(List<Op> ops) {
    LayerTar t = LayerTar.layer();
    for (Op op : ops) {
      switch (op.kind()) {
        case "dir" -> t.dir(op.name(), op.mode(), op.uid(), op.uid());
        case "file" ->
            t.file(
                op.name(),
                op.arg().getBytes(StandardCharsets.UTF_8),
                op.mode(),
                op.uid(),
                op.uid());
        case "symlink" -> t.symlink(op.name(), op.arg());
        case "hardlink" -> t.hardlink(op.name(), op.arg());
        case "whiteout" -> t.whiteout(parentOf(op.name()) + ".wh." + op.arg());
        case "opaque" -> t.whiteout(parentOf(op.name()) + ".wh..wh..opq");
        case "fifo" -> t.fifo(op.name(), op.mode());
        default -> throw new IllegalStateException(op.kind());
      }
    }
    return t.bytes();
  }

  private static String parentOf(String name) {
    int i = name.lastIndexOf('/');
    return i < 0 ? "" : name.substring(0, i + 1);
  }

  @Provide
  Arbitrary<List<List<Op>>> layers() {
    return op().list().ofMinSize(1).ofMaxSize(12).list().ofMinSize(1).ofMaxSize(4);
  }

  private static Arbitrary<Op> op() {
    Arbitrary<String> name =
        Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l));
    Arbitrary<String> kind =
        Arbitraries.of(
            "dir", "dir", "file", "file", "symlink", "hardlink", "whiteout", "opaque", "fifo");
    Arbitrary<String> arg =
        Arbitraries.oneOf(
            name,
            Arbitraries.of(".", "..", "/", "../outside/etc", "/a/b", "a/../..", "content-x", ""));
    Arbitrary<Integer> mode = Arbitraries.of(0644, 0755, 04755, 02750, 01777, 0600);
    Arbitrary<Integer> uid = Arbitraries.of(0, 1000);
    return Combinators.combine(kind, name, arg, mode, uid).as(Op::new);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }
}
