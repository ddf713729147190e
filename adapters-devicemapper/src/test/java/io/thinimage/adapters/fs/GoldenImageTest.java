package io.thinimage.adapters.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thinimage.core.layer.ApplyReport;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.layer.LayerLimits;
import io.thinimage.core.layer.LayerTar;
import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-layer image made from real files with GNU tar (both its gnu and posix formats): absolute
 * and relative symlinks, hardlinks, a setuid binary, a uid-1000 home, a whiteout and an opaque
 * directory. Applied with {@link NioRootFilesystem}, the result must be exactly the expected tree.
 */
class GoldenImageTest {
  private static final Instant T = Instant.parse("2023-06-01T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void threeLayerImageFromRealFiles() throws Exception {
    assumeTrue(new NioRootFilesystem(tmp).privileged(), "needs root to chown the sources");

    Path l1 = Files.createDirectory(tmp.resolve("l1"));
    dir(l1, "etc", 0755, 0);
    file(l1, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644, 0);
    file(l1, "etc/old.conf", "old\n", 0644, 0);
    dir(l1, "etc/alternatives", 0755, 0);
    dir(l1, "usr/bin", 0755, 0);
    dir(l1, "usr/lib", 0755, 0);
    file(l1, "usr/bin/su", "su-binary", 04755, 0);
    file(l1, "usr/bin/vim.basic", "vim", 0755, 0);
    Files.createLink(l1.resolve("usr/bin/vi"), l1.resolve("usr/bin/vim.basic"));
    Files.createSymbolicLink(l1.resolve("etc/alternatives/editor"), Path.of("/usr/bin/vim.basic"));
    Files.createSymbolicLink(l1.resolve("lib"), Path.of("usr/lib"));
    dir(l1, "var/cache/apt", 0755, 0);
    file(l1, "var/cache/apt/pkgcache.bin", "cache", 0644, 0);
    dir(l1, "tmp", 01777, 0);
    fixTimes(l1);

    Path l2 = Files.createDirectory(tmp.resolve("l2"));
    dir(l2, "home/node", 0750, 1000);
    file(l2, "home/node/.bashrc", "export A=1\n", 0644, 1000);
    dir(l2, "etc", 0755, 0);
    file(l2, "etc/.wh.old.conf", "", 0644, 0);
    dir(l2, "var/cache", 0755, 0);
    file(l2, "var/cache/.wh..wh..opq", "", 0644, 0);
    dir(l2, "var/cache/fresh", 0755, 0);
    fixTimes(l2);

    Path l3 = Files.createDirectory(tmp.resolve("l3"));
    dir(l3, "usr/bin", 0755, 0);
    // a type change: vi becomes a symlink; its former hardlink partner keeps the content
    Files.createSymbolicLink(l3.resolve("usr/bin/vi"), Path.of("vim.basic"));
    file(l3, "usr/lib/libc.so.6", "libc", 0755, 0);
    fixTimes(l3);

    Path root = Files.createDirectory(tmp.resolve("root"));
    NioRootFilesystem fs = new NioRootFilesystem(root);
    LayerApplier applier = new LayerApplier(LayerLimits.defaults(), Clock.systemUTC());
    ApplyReport r1 = apply(applier, tar(l1, "gnu"), fs);
    ApplyReport r2 = apply(applier, tar(l2, "posix"), fs);
    apply(applier, tar(l3, "posix"), fs);

    assertThat(r1.whiteouts()).isZero();
    assertThat(r2.whiteouts()).isEqualTo(2);
    long t = T.getEpochSecond();
    Map<String, String> expected = new TreeMap<>();
    expected.put(".", "dir 0755 0:0");
    expected.put("etc", "dir 0755 0:0");
    expected.put("etc/passwd", fileDesc("root:x:0:0::/root:/bin/sh\n", "0644 0:0", 1, t));
    expected.put("etc/alternatives", "dir 0755 0:0");
    expected.put("etc/alternatives/editor", "symlink 0:0 -> /usr/bin/vim.basic");
    expected.put("home", "dir 0755 0:0");
    expected.put("home/node", "dir 0750 1000:1000");
    expected.put("home/node/.bashrc", fileDesc("export A=1\n", "0644 1000:1000", 1, t));
    expected.put("lib", "symlink 0:0 -> usr/lib");
    expected.put("tmp", "dir 1777 0:0");
    expected.put("usr", "dir 0755 0:0");
    expected.put("usr/bin", "dir 0755 0:0");
    expected.put("usr/bin/su", fileDesc("su-binary", "4755 0:0", 1, t));
    expected.put("usr/bin/vim.basic", fileDesc("vim", "0755 0:0", 1, t));
    expected.put("usr/bin/vi", "symlink 0:0 -> vim.basic");
    expected.put("usr/lib", "dir 0755 0:0");
    expected.put("usr/lib/libc.so.6", fileDesc("libc", "0755 0:0", 1, t));
    expected.put("var", "dir 0755 0:0");
    expected.put("var/cache", "dir 0755 0:0");
    expected.put("var/cache/fresh", "dir 0755 0:0");
    assertThat(NioTrees.describe(root)).isEqualTo(expected);
    // directories keep the layer's mtime too (applied after their children)
    assertThat(Files.getLastModifiedTime(root.resolve("home/node"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(FileTime.from(T));
  }

  private static String fileDesc(String content, String modeOwner, int links, long mtime) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return "file "
        + modeOwner
        + " size="
        + b.length
        + " sha="
        + InMemoryRootFilesystem.sha12(b)
        + " links="
        + links
        + " mtime="
        + mtime;
  }

  private static ApplyReport apply(LayerApplier applier, byte[] tar, NioRootFilesystem fs) {
    return applier.apply(new ByteArrayInputStream(tar), LayerTar.digest(tar), fs);
  }

  private static void dir(Path base, String rel, int mode, int uid) throws IOException {
    Path d = Files.createDirectories(base.resolve(rel));
    owner(d, uid);
    Files.setAttribute(d, "unix:mode", mode);
  }

  private static void file(Path base, String rel, String content, int mode, int uid)
      throws IOException {
    Path f = base.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content, StandardCharsets.UTF_8);
    owner(f, uid);
    Files.setAttribute(f, "unix:mode", mode);
  }

  private static void owner(Path p, int uid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  private static void fixTimes(Path base) throws IOException {
    try (var s = Files.walk(base)) {
      for (Path p : s.toList()) {
        if (!Files.isSymbolicLink(p)) {
          Files.setLastModifiedTime(p, FileTime.from(T));
        }
      }
    }
  }

  /** {@code tar -c} of the directory's contents with GNU tar, in the given format. */
  private byte[] tar(Path src, String format) throws Exception {
    Path out = tmp.resolve(src.getFileName() + ".tar");
    Process p =
        new ProcessBuilder(
                List.of(
                    "tar",
                    "--format=" + format,
                    "--numeric-owner",
                    "-C",
                    src.toString(),
                    "-cf",
                    out.toString(),
                    "."))
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    return Files.readAllBytes(out);
  }
}
