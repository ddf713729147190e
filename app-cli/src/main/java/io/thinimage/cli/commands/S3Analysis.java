package io.thinimage.cli.commands;

import io.thinimage.core.domain.RemoteObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code analyze-s3} reports about a listing: sizes, blobs unique by (ETag, size), layers
 * shared across families, and pool sizes, with the formula that produced them. A listing carries no
 * content digests, so identity here is (ETag, size): equal for byte-identical single-part uploads,
 * which is what the bucket holds.
 *
 * @param prefix the listed prefix
 * @param objects objects listed
 * @param totalBytes their total size
 * @param families each family with its ordered layer keys
 * @param uniqueBlobs distinct (ETag, size) pairs among the layers
 * @param uniqueBytes bytes of those distinct blobs
 * @param chainVolumes distinct layer chains (one thin volume each)
 * @param chainBytes bytes written building those chains (sum of each chain's top layer)
 * @param baseVolumes distinct bottom layers (each one gets a fresh filesystem)
 * @param shared blobs used by more than one family
 * @param ignored keys that are not {@code <family>/<n>.tar}
 * @param recommendation pool sizes
 */
public record S3Analysis(
    String prefix,
    int objects,
    long totalBytes,
    Map<String, List<String>> families,
    int uniqueBlobs,
    long uniqueBytes,
    int chainVolumes,
    long chainBytes,
    int baseVolumes,
    List<SharedBlob> shared,
    List<String> ignored,
    PoolRecommendation recommendation) {

  private static final Pattern LAYER = Pattern.compile("(.*/)?([^/]+)/([0-9]{1,6})\\.tar");
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  /** A blob found in several families. */
  public record SharedBlob(String etag, long sizeBytes, List<String> keys) {}

  /**
   * Recommended pool sizes and how they were computed.
   *
   * @param dataBytes data device size
   * @param metadataBytes metadata device size
   * @param dataBlockSectors data block size in sectors
   * @param lowWaterMarkBlocks low water mark in data blocks
   * @param formula the formula, in words and numbers
   */
  public record PoolRecommendation(
      long dataBytes,
      long metadataBytes,
      long dataBlockSectors,
      long lowWaterMarkBlocks,
      List<String> formula) {}

  /** Analyses a listing of {@code prefix}. */
  public static S3Analysis of(String prefix, List<RemoteObject> listing) {
    long total = 0;
    Map<String, TreeMap<Integer, RemoteObject>> byFamily = new TreeMap<>();
    List<String> ignored = new ArrayList<>();
    for (RemoteObject o : listing) {
      total += o.size();
      Matcher m = LAYER.matcher(o.key());
      if (!m.matches()) {
        ignored.add(o.key());
        continue;
      }
      String family = (m.group(1) == null ? "" : m.group(1)) + m.group(2) + "/";
      byFamily.computeIfAbsent(family, f -> new TreeMap<>()).put(Integer.parseInt(m.group(3)), o);
    }
    Map<String, RemoteObject> unique = new LinkedHashMap<>();
    Map<String, Set<String>> familiesOf = new LinkedHashMap<>();
    Map<String, List<String>> keysOf = new LinkedHashMap<>();
    Set<String> chains = new LinkedHashSet<>();
    Set<String> bases = new LinkedHashSet<>();
    long chainBytes = 0;
    Map<String, List<String>> families = new LinkedHashMap<>();
    for (var e : byFamily.entrySet()) {
      StringBuilder chain = new StringBuilder();
      List<String> keys = new ArrayList<>();
      for (RemoteObject o : e.getValue().values()) {
        String id = o.etag() + ":" + o.size();
        keys.add(o.key());
        unique.putIfAbsent(id, o);
        familiesOf.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(e.getKey());
        keysOf.computeIfAbsent(id, k -> new ArrayList<>()).add(o.key());
        if (chain.length() == 0) {
          bases.add(id);
        }
        chain.append('|').append(id);
        if (chains.add(chain.toString())) {
          chainBytes += o.size();
        }
      }
      families.put(e.getKey(), List.copyOf(keys));
    }
    long uniqueBytes = unique.values().stream().mapToLong(RemoteObject::size).sum();
    List<SharedBlob> shared = new ArrayList<>();
    for (var e : familiesOf.entrySet()) {
      if (e.getValue().size() > 1) {
        RemoteObject o = unique.get(e.getKey());
        shared.add(new SharedBlob(o.etag(), o.size(), List.copyOf(keysOf.get(e.getKey()))));
      }
    }
    return new S3Analysis(
        prefix,
        listing.size(),
        total,
        families,
        unique.size(),
        uniqueBytes,
        chains.size(),
        chainBytes,
        bases.size(),
        shared,
        ignored,
        recommend(chainBytes, bases.size()));
  }

  /**
   * The sizing rule. Each chain volume is a snapshot of its parent plus one layer, so the pool
   * holds each distinct chain's top layer once: {@code chainBytes}. That is inflated by 25 % for 4
   * KiB ext4 blocks and 64 KiB copy-on-write granularity, plus 128 MiB per bottom volume for what
   * mkfs.ext4 writes (journal, inode tables), then given 30 % headroom for what VMs write into
   * their snapshots; at least 2 GiB. Metadata follows the kernel's guide (48 bytes per data block),
   * doubled because snapshots share blocks, at least 4 MiB.
   */
  static PoolRecommendation recommend(long chainBytes, int bases) {
    long blockSectors = 128;
    long blockBytes = blockSectors * 512;
    long written = chainBytes + chainBytes / 4 + bases * 128 * MIB;
    long withHeadroom = written + written * 3 / 10;
    long data = Math.max(2 * GIB, roundUp(withHeadroom, GIB));
    long meta = Math.max(4 * MIB, roundUp(2 * 48 * (data / blockBytes), MIB));
    long lowWater = data / blockBytes / 10;
    List<String> formula =
        List.of(
            "written  = chainBytes x 1.25 + baseVolumes x 128 MiB = "
                + chainBytes
                + " x 1.25 + "
                + bases
                + " x 128 MiB = "
                + written
                + " bytes",
            "data     = max(2 GiB, roundup_GiB(written x 1.3)) = " + data + " bytes",
            "metadata = max(4 MiB, roundup_MiB(2 x 48 B x data / 64 KiB)) = " + meta + " bytes",
            "block    = 128 sectors (64 KiB); low water mark = data blocks / 10 = "
                + lowWater
                + " blocks");
    return new PoolRecommendation(data, meta, blockSectors, lowWater, formula);
  }

  private static long roundUp(long v, long unit) {
    return (v + unit - 1) / unit * unit;
  }
}
