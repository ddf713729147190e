package io.thinimage.core.layer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The paths one layer wrote, as a tree of names packed into arrays: each name is stored once, as
 * UTF-8 bytes, with a parent index, so a path costs O(its own name) however deep it is (a {@code
 * Set<RootPath>} of every path and ancestor costs O(depth²) per path and about 150 bytes per entry
 * in objects). A path is in the tree if the layer wrote it or anything below it, which is what
 * opaque markers and whiteouts ask. Not thread-safe.
 */
final class PathTree {
  /** Index of the root node. */
  static final int ROOT = 0;

  private static final int NONE = -1;
  private static final int CHUNK = 1 << 16;

  private int[] parent = new int[64];
  private int[] nameRef = new int[64];
  private int[] nameLen = new int[64];
  private int[] hash = new int[64];
  private int[] removedAt = new int[64];
  private int[] tag = filled(64);
  private int size = 1;

  /** Open addressing: node index + 1, 0 = empty. Keyed by (parent, name). */
  private int[] slots = new int[128];

  /** Names, in chunks so the store never copies itself as it grows. */
  private final List<byte[]> chunks = new ArrayList<>();

  private int chunkUsed = CHUNK;

  PathTree() {
    parent[ROOT] = NONE;
  }

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, NONE);
    return a;
  }

  /** Number of nodes, the root included. */
  int size() {
    return size;
  }

  /** The node of {@code path}, or {@link #NONE} (negative) if it is not in the tree. */
  int find(RootPath path) {
    int node = ROOT;
    for (String name : path.names()) {
      node = child(node, name);
      if (node < 0) {
        return NONE;
      }
    }
    return node;
  }

  /** Whether {@code path} (or anything below it) is in the tree. */
  boolean contains(RootPath path) {
    return find(path) >= 0;
  }

  /** The child {@code name} of {@code node}, or a negative number. */
  int child(int node, String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    int h = hashOf(node, b);
    int mask = slots.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) {
        return NONE;
      }
      int n = s - 1;
      if (hash[n] == h && parent[n] == node && nameEquals(n, b)) {
        return n;
      }
    }
  }

  /** Adds {@code path} and its ancestors; returns the node of {@code path}. */
  int add(RootPath path) {
    int node = ROOT;
    for (String name : path.names()) {
      node = addChild(node, name);
    }
    return node;
  }

  private int addChild(int node, String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    int h = hashOf(node, b);
    int mask = slots.length - 1;
    int i = h & mask;
    for (; slots[i] != 0; i = (i + 1) & mask) {
      int n = slots[i] - 1;
      if (hash[n] == h && parent[n] == node && nameEquals(n, b)) {
        return n;
      }
    }
    int n = size++;
    if (n == parent.length) {
      int cap = parent.length + (parent.length >> 1);
      parent = Arrays.copyOf(parent, cap);
      nameRef = Arrays.copyOf(nameRef, cap);
      nameLen = Arrays.copyOf(nameLen, cap);
      hash = Arrays.copyOf(hash, cap);
      removedAt = Arrays.copyOf(removedAt, cap);
      tag = Arrays.copyOf(tag, cap);
      Arrays.fill(tag, n, cap, NONE);
    }
    parent[n] = node;
    hash[n] = h;
    nameLen[n] = b.length;
    nameRef[n] = storeName(b);
    slots[i] = n + 1;
    if (size * 2 > slots.length) {
      rehash();
    }
    return n;
  }

  /** Records that the path of {@code node} was removed at step {@code step} of the layer. */
  void markRemoved(int node, int step) {
    removedAt[node] = step;
  }

  /**
   * Whether the path of {@code node} or one of its ancestors was removed after step {@code step}:
   * whatever was recorded for it at that step describes something that is gone.
   */
  boolean removedSince(int node, int step) {
    for (int n = node; n >= 0; n = parent[n]) {
      if (removedAt[n] > step) {
        return true;
      }
    }
    return false;
  }

  /** A number the owner keeps per node (negative until set). */
  int tag(int node) {
    return tag[node];
  }

  void setTag(int node, int value) {
    tag[node] = value;
  }

  /** The parent node of {@code node} (negative for the root). */
  int parentOf(int node) {
    return parent[node];
  }

  /** Number of names from the root to {@code node}. */
  int depth(int node) {
    int d = 0;
    for (int n = node; n != ROOT; n = parent[n]) {
      d++;
    }
    return d;
  }

  /** The path of {@code node}. */
  RootPath path(int node) {
    String[] names = new String[depth(node)];
    int i = names.length;
    for (int n = node; n != ROOT; n = parent[n]) {
      byte[] c = chunks.get(nameRef[n] / CHUNK);
      names[--i] = new String(c, nameRef[n] % CHUNK, nameLen[n], StandardCharsets.UTF_8);
    }
    return new RootPath(Arrays.asList(names));
  }

  private int storeName(byte[] b) {
    // Names are at most 255 bytes (NAME_MAX, enforced before they get here), so one always fits.
    if (b.length > CHUNK) {
      throw new IllegalArgumentException("name longer than " + CHUNK + " bytes");
    }
    if (chunkUsed + b.length > CHUNK) {
      chunks.add(new byte[CHUNK]);
      chunkUsed = 0;
    }
    int ref = (chunks.size() - 1) * CHUNK + chunkUsed;
    System.arraycopy(b, 0, chunks.get(chunks.size() - 1), chunkUsed, b.length);
    chunkUsed += b.length;
    return ref;
  }

  private boolean nameEquals(int n, byte[] b) {
    if (nameLen[n] != b.length) {
      return false;
    }
    byte[] c = chunks.get(nameRef[n] / CHUNK);
    int off = nameRef[n] % CHUNK;
    return Arrays.equals(c, off, off + b.length, b, 0, b.length);
  }

  private void rehash() {
    int[] bigger = new int[slots.length * 2];
    int mask = bigger.length - 1;
    for (int n = 1; n < size; n++) {
      int i = hash[n] & mask;
      while (bigger[i] != 0) {
        i = (i + 1) & mask;
      }
      bigger[i] = n + 1;
    }
    slots = bigger;
  }

  private static int hashOf(int parentNode, byte[] name) {
    int h = parentNode * 0x9E3779B9 + Arrays.hashCode(name);
    // spread the bits (murmur3 finaliser) so linear probing stays short
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }
}
