package io.thinimage.core.layer;

import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.util.Map;

/** The layer rules against the in-memory filesystem (which has no outside to protect). */
class InMemoryLayerRulesTest extends LayerEdgeCasesContract {
  private InMemoryRootFilesystem mem;

  @Override
  protected RootFilesystem newRoot() {
    mem = new InMemoryRootFilesystem();
    return mem;
  }

  @Override
  protected Map<String, String> tree() {
    return mem.describe();
  }

  @Override
  protected String outside() {
    return "/sentinel/outside";
  }

  @Override
  protected void assertOutsideUntouched() {
    // An in-memory tree has no outside; the filesystem tests check the real sentinel.
  }
}
