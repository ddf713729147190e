package io.thinimage.core.api;

import io.thinimage.core.testing.FakeWorld;
import io.thinimage.core.testing.TarLayers;

/** Sample images used by the engine tests: two families sharing their two base layers. */
final class Scenarios {
  private Scenarios() {}

  static final byte[] BASE =
      TarLayers.layer()
          .dir("etc")
          .file("etc/os-release", "ID=debian\n")
          .dir("usr/bin")
          .file("usr/bin/sh", "#!binary\n", 0755)
          .symlink("bin", "usr/bin")
          .dir("tmp")
          .file("tmp/scratch", "to be removed")
          .build();
  static final byte[] TOOLS =
      TarLayers.layer()
          .dir("usr/lib")
          .file("usr/lib/libtool.so", "lib")
          .hardlink("usr/lib/libtool.so.1", "usr/lib/libtool.so")
          .symlink("etc/alternatives", "/usr/lib")
          .whiteout("tmp/scratch")
          .build();
  static final byte[] APP_GO =
      TarLayers.layer().dir("usr/local/go").file("usr/local/go/VERSION", "go1.24").build();
  static final byte[] APP_NODE =
      TarLayers.layer().dir("usr/local/node").file("usr/local/node/VERSION", "v22").build();

  /** Families {@code images/go/} (3 layers) and {@code images/node/} (3 layers, same base). */
  static FakeWorld twoFamilies(java.nio.file.Path dir) {
    FakeWorld w = new FakeWorld(dir);
    w.objects().put("images/go/1.tar", BASE);
    w.objects().put("images/go/2.tar", TOOLS);
    w.objects().put("images/go/3.tar", APP_GO);
    w.objects().put("images/node/1.tar", BASE);
    w.objects().put("images/node/2.tar", TOOLS);
    w.objects().put("images/node/3.tar", APP_NODE);
    return w;
  }
}
