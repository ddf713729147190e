package io.thinimage.core.layer;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ThinImageException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Objects;

/**
 * Applies one OCI layer changeset onto a root filesystem, safely against hostile tarballs.
 *
 * <p>The rules (details in {@code docs/layers.md}):
 *
 * <ul>
 *   <li>Entry names are cleaned as {@code /}-rooted paths: leading {@code /}, {@code ./} and
 *       repeated slashes dropped; a {@code ..} component, a NUL byte or an empty name is refused.
 *   <li>Parents are resolved inside the root: a symlinked parent is followed as if the root were
 *       {@code /} (absolute targets re-rooted, {@code ..} stops at the root), so nothing is ever
 *       written outside it; the last name is never followed; missing parents are created 0755.
 *   <li>An existing entry is removed (recursively) before a new one takes its place, unless both
 *       are directories (then the metadata is merged); files are created new, never opened.
 *   <li>Symlinks are created verbatim; hardlink targets are resolved inside the root, must exist
 *       and must not be directories; a hardlink to a symlink links the symlink itself.
 *   <li>Whiteouts {@code .wh.NAME} remove the lower entry; {@code .wh..wh..opq} removes everything
 *       in the directory that this layer did not write; neither is ever materialised.
 *   <li>Owner (when privileged), xattrs ({@code user.*}, and {@code security.capability} when
 *       privileged; {@code trusted.*}, {@code system.*}, other {@code security.*} dropped and
 *       counted), mtime, then the full mode with setuid/setgid/sticky; directory modes and times
 *       after the whole layer, deepest first. Devices only when privileged, otherwise skipped and
 *       counted. Sparse files are written with their holes.
 *   <li>Tar metadata (GNU long names and links, PAX headers, sparse maps, xattr values) is held to
 *       its cap in {@link LayerLimits} before it is read into memory.
 *   <li>Plain tar or gzip-compressed tar; zstd/xz/bzip2 and non-tar input are refused.
 * </ul>
 *
 * <p>Every failure is a {@link ThinImageException}: INVALID_INPUT with a {@code layer-...} code
 * naming the entry for bad input, TRANSIENT {@code layer-io-error} for a failing filesystem. A
 * failed apply leaves the root half-written: the caller discards the volume.
 */
public final class LayerApplier {
  private final LayerLimits limits;
  private final Clock clock;

  /**
   * @param limits the caps enforced while streaming
   * @param clock the clock the wall-time limit is measured with
   */
  public LayerApplier(LayerLimits limits, Clock clock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Streams {@code layer} onto {@code root}, enforcing the limits, and checks that the sha256 of
   * the whole raw stream (read to its end, past the tar's end marker) equals {@code expectedDigest}
   * ({@code layer-digest-mismatch} otherwise). Fails with INVALID_INPUT (code {@code layer-...},
   * message naming the entry) on hostile or malformed input.
   */
  public ApplyReport apply(InputStream layer, BlobDigest expectedDigest, RootFilesystem root) {
    Objects.requireNonNull(expectedDigest, "expectedDigest");
    Deadline deadline = new Deadline(clock, limits);
    LayerInput input = LayerInput.open(layer, limits);
    LayerSession session = new LayerSession(root, limits, deadline);
    session.applyAll(input.tar());
    BlobDigest digest = input.finish(expectedDigest, deadline);
    return new ApplyReport(
        digest,
        session.entries(),
        session.bytes(),
        session.whiteouts(),
        session.devicesSkipped(),
        session.xattrsSkipped(),
        root.privileged(),
        input.compression());
  }
}
