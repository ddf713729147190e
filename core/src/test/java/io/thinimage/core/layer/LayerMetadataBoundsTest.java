package io.thinimage.core.layer;

import static io.thinimage.core.testing.HostileTar.bytes;
import static io.thinimage.core.testing.HostileTar.bytesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.testing.HostileTar;
import io.thinimage.core.testing.HostileTar.Part;
import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every cap on tar metadata and tree shape, with layers produced lazily: a header may claim a 2 GiB
 * name and the test never holds it. Each refusal also proves the reader stopped early: it read only
 * a small part of what the layer announced, so the metadata was not buffered first.
 */
class LayerMetadataBoundsTest {
  private static final BlobDigest ANY = LayerTar.digest(new byte[0]);
  private static final long GIB = 1L << 30;

  /** Counts what the applier pulled from the layer. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int r = super.read();
      count += r < 0 ? 0 : 1;
      return r;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = super.read(b, off, len);
      count += Math.max(r, 0);
      return r;
    }
  }

  private static long refused(String code, List<Part> layer, LayerLimits limits) {
    Counting in = new Counting(HostileTar.stream(layer));
    LayerApplier applier = new LayerApplier(limits, Clock.systemUTC());
    assertThatThrownBy(() -> applier.apply(in, ANY, new InMemoryRootFilesystem()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT);
            });
    return in.count;
  }

  private static long refused(String code, List<Part> layer) {
    return refused(code, layer, LayerLimits.defaults());
  }

  private static ApplyReport applied(List<Part> layer, RootFilesystem fs, LayerLimits limits) {
    byte[] b = bytesOf(layer);
    return new LayerApplier(limits, Clock.systemUTC())
        .apply(new ByteArrayInputStream(b), LayerTar.digest(b), fs);
  }

  @Test
  void gnuLongNameOfTwoGibIsRefusedBeforeItIsRead() {
    long read = refused("layer-path-too-long", HostileTar.longNameRecord(2 * GIB, false));
    assertThat(read).isLessThan(1 << 20);
  }

  @Test
  void gnuLongLinkOfTwoGibIsRefusedBeforeItIsRead() {
    long read = refused("layer-path-too-long", HostileTar.longNameRecord(2 * GIB, true));
    assertThat(read).isLessThan(1 << 20);
  }

  @Test
  void longNameRecordUpToThePathLimitIsRead() throws Exception {
    String name = ("n".repeat(254) + "/").repeat(16) + "f".repeat(15); // 4095 bytes
    List<Part> layer = new ArrayList<>();
    byte[] data = (name + "\0").getBytes(StandardCharsets.UTF_8);
    layer.add(bytes(HostileTar.header("././@LongLink", 'L', data.length)));
    layer.add(bytes(HostileTar.padded(data)));
    layer.addAll(HostileTar.file("ignored", "x".getBytes(StandardCharsets.UTF_8)));
    layer.add(HostileTar.end());
    InMemoryRootFilesystem fs = new InMemoryRootFilesystem();
    applied(layer, fs, LayerLimits.defaults());
    assertThat(fs.readFile(name)).containsExactly('x');
  }

  @Test
  void paxHeaderOfOneAndAHalfGbIsRefusedBeforeItIsRead() {
    long read = refused("layer-header-too-large", HostileTar.hugePax(1_500_000_000L, false));
    assertThat(read).isLessThan(1 << 20);
  }

  @Test
  void globalPaxHeaderOfOneGibIsRefusedBeforeItIsRead() {
    long read = refused("layer-header-too-large", HostileTar.hugePax(GIB, true));
    assertThat(read).isLessThan(1 << 20);
  }

  @Test
  void globalPaxHeadersCountTogether() {
    List<Part> one = HostileTar.hugePax(600, true);
    List<Part> layer = new ArrayList<>(one.subList(0, one.size() - 1)); // without the end marker
    layer.addAll(HostileTar.hugePax(600, true));
    refused("layer-header-too-large", layer, LayerLimits.defaults().withMaxGlobalPaxBytes(1000));
    applied(layer, new InMemoryRootFilesystem(), LayerLimits.defaults());
  }

  @Test
  void longChainOfExtendedHeadersIsRefusedNotAStackOverflow() {
    List<Part> layer = new ArrayList<>();
    byte[] rec = HostileTar.paxRecord("comment", "x");
    for (int i = 0; i < 100_000; i++) {
      layer.addAll(HostileTar.pax(rec));
    }
    layer.addAll(HostileTar.file("f", new byte[] {'x'}));
    layer.add(HostileTar.end());
    long read = refused("layer-header-too-large", layer);
    assertThat(read).isLessThan(1 << 20);
  }

  @Test
  void oldGnuSparseChainIsRefusedAtTheMapCap() {
    // ten million extension blocks: 5 GB of headers
    long read = refused("layer-sparse-map-too-large", HostileTar.oldGnuSparseChain(10_000_000));
    assertThat(read).isLessThan(4 << 20);
  }

  @Test
  void oldGnuSparseChainWithinTheCapIsRead() {
    refused(
        "layer-sparse-map-too-large",
        HostileTar.oldGnuSparseChain(10),
        LayerLimits.defaults().withMaxSparseMapEntries(100));
    // 10 blocks of zero extents are fine under the default cap (the file has no data)
    applied(HostileTar.oldGnuSparseChain(10), new InMemoryRootFilesystem(), LayerLimits.defaults());
  }

  @Test
  void pax1SparseMapAnnouncingTooManyExtentsIsRefused() {
    long read = refused("layer-sparse-map-too-large", HostileTar.pax1SparseMap(1L << 40, 1L << 30));
    assertThat(read).isLessThan(1 << 20);
  }

  @Test
  void pax01SparseMapOverTheCapIsRefused() {
    refused("layer-sparse-map-too-large", HostileTar.pax01SparseMap(70_000));
  }

  @Test
  void xattrValueOverTheCapIsRefused() {
    refused("layer-xattr-too-large", HostileTar.xattr("user.big", 100 << 10));
    InMemoryRootFilesystem fs = new InMemoryRootFilesystem();
    applied(HostileTar.xattr("user.big", 64 << 10), fs, LayerLimits.defaults());
  }

  @Test
  void deepTreeOf1476EntriesAnd256LevelsApplies() {
    InMemoryRootFilesystem fs = new InMemoryRootFilesystem();
    ApplyReport r = applied(HostileTar.deepTree(5, 255, 201), fs, LayerLimits.defaults());
    assertThat(r.entries()).isEqualTo(1476);
    assertThat(fs.describe()).hasSize(1 + 1476);
  }

  @Test
  void treeDeeperThanTheLimitIsRefused() {
    refused("layer-path-too-deep", HostileTar.deepTree(1, 257, 0));
  }

  @Test
  void impliedParentsCountAsEntries() {
    InMemoryRootFilesystem fs = new InMemoryRootFilesystem();
    ApplyReport r = applied(HostileTar.impliedParents(3, 10), fs, LayerLimits.defaults());
    assertThat(r.entries()).isEqualTo(3 + 3 * 9);
    refused(
        "layer-too-many-entries",
        HostileTar.impliedParents(10, 256),
        LayerLimits.defaults().withMaxEntries(1000));
  }

  @Test
  void symlinkedParentCannotLeadPastTheDepthLimit() {
    LayerTar tar =
        LayerTar.layer().symlink("s", "x/".repeat(200)).file("s/" + "y/".repeat(100) + "f", "deep");
    byte[] b = tar.bytes();
    assertThatThrownBy(
            () ->
                new LayerApplier(LayerLimits.defaults(), Clock.systemUTC())
                    .apply(
                        new ByteArrayInputStream(b),
                        LayerTar.digest(b),
                        new InMemoryRootFilesystem()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("layer-path-too-deep"));
  }

  @Test
  void sparseFileIsWrittenWithItsHolesAndCountsItsLogicalSize() throws Exception {
    long size = 40L << 20;
    InMemoryRootFilesystem fs = new InMemoryRootFilesystem();
    ApplyReport r =
        applied(
            HostileTar.sparseFile("sp", size, 0, 1 << 20, 30L << 20), fs, LayerLimits.defaults());
    assertThat(r.bytes()).isEqualTo(size);
    assertThat(fs.allocatedBytes("sp")).isEqualTo(3 * 4096);
    byte[] content = fs.readFile("sp");
    assertThat(content).hasSize((int) size);
    byte[] expected = new byte[(int) size];
    for (long o : new long[] {0, 1 << 20, 30L << 20}) {
      Arrays.fill(expected, (int) o, (int) o + 4096, (byte) 'd');
    }
    assertThat(Arrays.equals(content, expected)).isTrue();
  }

  @Test
  void sparseFileOfTenGibLogicalSizeIsRefusedByTheFileCap() {
    refused("layer-file-too-large", HostileTar.sparseFile("sp", 10 * GIB, 0));
    refused(
        "layer-too-large",
        HostileTar.sparseFile("sp", 3 * GIB, 0),
        LayerLimits.defaults().withMaxLayerBytes(2 * GIB));
  }

  @Test
  void restrictiveModesApplyForANonRootOwner() throws Exception {
    InMemoryRootFilesystem fs = InMemoryRootFilesystem.unprivilegedOwner();
    applied(HostileTar.restrictiveModes(), fs, LayerLimits.defaults());
    Map<String, String> t = fs.describe();
    assertThat(t.get("ro")).startsWith("dir 0555");
    assertThat(t.get("ro/sub")).startsWith("dir 0555");
    assertThat(t.get("ro/sub/secret")).startsWith("file 0000").contains("links=2");
    assertThat(t.get("ro/replaced")).startsWith("file 0000");
    assertThat(t.get("ro/locked")).startsWith("dir 0000");
    assertThat(t.get("var/empty")).startsWith("dir 0555");
    assertThat(t.get("shadow")).startsWith("file 0000");
    // a whiteout of what the same layer wrote keeps it (OCI), below a 0555 directory too
    assertThat(t.get("ro/gone")).startsWith("file 0444");
  }

  @Test
  void fileCapabilitiesAreKeptWhenPrivilegedAndHostNamespacesDropped() throws Exception {
    byte[] cap = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // binary
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    rec.writeBytes(HostileTar.paxRecord("SCHILY.xattr.security.capability", cap));
    rec.writeBytes(HostileTar.paxRecord("SCHILY.xattr.trusted.overlay.opaque", "y"));
    rec.writeBytes(HostileTar.paxRecord("SCHILY.xattr.system.posix_acl_access", "z"));
    rec.writeBytes(HostileTar.paxRecord("SCHILY.xattr.security.selinux", "s0"));
    rec.writeBytes(HostileTar.paxRecord("SCHILY.xattr.user.k", "v"));
    List<Part> layer = new ArrayList<>(HostileTar.pax(rec.toByteArray()));
    layer.addAll(HostileTar.file("bin/ping", new byte[] {'x'}));
    layer.add(HostileTar.end());

    InMemoryRootFilesystem root = new InMemoryRootFilesystem(true);
    ApplyReport r = applied(layer, root, LayerLimits.defaults());
    assertThat(root.xattr("bin/ping", "security.capability")).containsExactly(cap);
    assertThat(root.xattr("bin/ping", "user.k")).containsExactly('v');
    assertThat(r.xattrsSkipped()).isEqualTo(3);

    InMemoryRootFilesystem user = new InMemoryRootFilesystem(false);
    r = applied(layer, user, LayerLimits.defaults());
    assertThat(user.xattr("bin/ping", "security.capability")).isNull();
    assertThat(r.xattrsSkipped()).isEqualTo(4);
  }
}
