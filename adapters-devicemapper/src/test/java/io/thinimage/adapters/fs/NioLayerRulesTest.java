package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.layer.LayerEdgeCasesContract;
import io.thinimage.core.layer.RootFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer rules (containerd breakout anchors and the edge cases) on a real directory. The temp
 * dir holds {@code root/} (the layer root) and the sentinel {@code outside/etc/passwd}; after every
 * test the whole temp dir apart from {@code root/} must be byte-for-byte as before.
 */
class NioLayerRulesTest extends LayerEdgeCasesContract {
  @TempDir Path tmp;

  private Path root;
  private Map<String, String> before;

  @Override
  protected RootFilesystem newRoot() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    Path etc = Files.createDirectories(tmp.resolve("outside/etc"));
    Files.writeString(etc.resolve("passwd"), "root:x:0:0:sentinel\n", StandardCharsets.UTF_8);
    Files.writeString(tmp.resolve("outside/marker"), "untouched", StandardCharsets.UTF_8);
    before = outsideSnapshot();
    return new NioRootFilesystem(root);
  }

  private Map<String, String> outsideSnapshot() throws IOException {
    Map<String, String> all = NioTrees.snapshot(tmp);
    all.keySet().removeIf(k -> k.equals("root") || k.startsWith("root/"));
    all.remove("."); // the temp dir's own mtime moves when root/ is created
    return all;
  }

  @Override
  protected Map<String, String> tree() throws IOException {
    return NioTrees.describe(root);
  }

  @Override
  protected String outside() {
    return tmp.resolve("outside").toAbsolutePath().toString();
  }

  @Override
  protected void assertOutsideUntouched() throws IOException {
    assertThat(outsideSnapshot()).isEqualTo(before);
  }
}
