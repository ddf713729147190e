package io.thinimage.core.testing;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * An in-memory {@link ObjectStore} that honours the port contract exactly (ETag pinning, resume
 * from a partial file, digest over the whole file, size cap, fsync), with counters and failure
 * injection for tests of the code that drives it.
 *
 * <p>ETags are the MD5 hex of the content, as S3 reports for single-part objects, so replacing an
 * object with different bytes changes its ETag. All methods are thread-safe.
 */
public final class FakeObjectStore implements ObjectStore {
  private static final int CHUNK = 64 * 1024;

  private final String name;
  private final NavigableMap<String, Stored> objects = new TreeMap<>();
  private final AtomicInteger gets = new AtomicInteger();
  private final AtomicInteger lists = new AtomicInteger();

  // failure injection, guarded by this
  private int failuresLeft;
  private RuntimeException failure;
  private long cutAfter = -1;
  private Duration latency = Duration.ZERO;

  private record Stored(byte[] body, String etag) {}

  /** A store named {@code fake}. */
  public FakeObjectStore() {
    this("fake");
  }

  /** A store described as {@code fake://<name>}. */
  public FakeObjectStore(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /** Creates or replaces {@code key}; returns it as a listing would show it. */
  public synchronized RemoteObject put(String key, byte[] body) {
    Objects.requireNonNull(key, "key");
    byte[] copy = body.clone();
    Stored stored = new Stored(copy, etagOf(copy));
    objects.put(key, stored);
    return new RemoteObject(key, copy.length, stored.etag());
  }

  /** Creates or replaces every entry of {@code entries}. */
  public void putAll(Map<String, byte[]> entries) {
    entries.forEach(this::put);
  }

  /** Deletes {@code key}; a no-op if absent. */
  public synchronized void remove(String key) {
    objects.remove(key);
  }

  /** The ETag a body gets in this store (MD5 hex). */
  public static String etagOf(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has MD5", e);
    }
  }

  /** Downloads that transferred at least one byte (a complete file or a failure counts none). */
  public int getCount() {
    return gets.get();
  }

  /** List calls made, by {@link #list} or by resolving a family. */
  public int listCount() {
    return lists.get();
  }

  /** The next {@code n} calls of any port method throw {@code e} before doing anything. */
  public synchronized void failNext(int n, RuntimeException e) {
    if (n < 0) {
      throw new IllegalArgumentException("n < 0");
    }
    this.failuresLeft = n;
    this.failure = Objects.requireNonNull(e, "e");
  }

  /**
   * The next download that transfers bytes writes (and fsyncs) at most {@code bytes} more bytes,
   * then throws TRANSIENT {@code transfer-interrupted}, like a connection cut mid-body.
   */
  public synchronized void cutNextDownloadAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0");
    }
    this.cutAfter = bytes;
  }

  /** Every port call sleeps this long first (zero to turn off). */
  public synchronized void latency(Duration latency) {
    this.latency = Objects.requireNonNull(latency, "latency");
  }

  @Override
  public String describe() {
    return "fake://" + name;
  }

  @Override
  public List<RemoteObject> resolve(ImageReference reference) {
    enter();
    if (reference.isFamily()) {
      List<RemoteObject> listed = listUnder(reference.value());
      Map<String, RemoteObject> byKey = new TreeMap<>();
      listed.forEach(o -> byKey.put(o.key(), o));
      List<RemoteObject> ordered = new ArrayList<>();
      for (String key : reference.orderFamilyKeys(new ArrayList<>(byKey.keySet()))) {
        ordered.add(byKey.get(key));
      }
      return List.copyOf(ordered);
    }
    synchronized (this) {
      Stored stored = objects.get(reference.value());
      if (stored == null) {
        throw ThinImageException.notFound(
            "object-not-found", "no object " + reference.value() + " in " + describe());
      }
      return List.of(new RemoteObject(reference.value(), stored.body().length, stored.etag()));
    }
  }

  @Override
  public List<RemoteObject> list(String prefix) {
    enter();
    return listUnder(prefix);
  }

  private List<RemoteObject> listUnder(String prefix) {
    lists.incrementAndGet();
    synchronized (this) {
      List<RemoteObject> out = new ArrayList<>();
      for (var e : objects.tailMap(prefix, true).entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        out.add(new RemoteObject(e.getKey(), e.getValue().body().length, e.getValue().etag()));
      }
      return List.copyOf(out);
    }
  }

  @Override
  public Download download(
      RemoteObject object, Path partialFile, long maxBytes, LongConsumer progress) {
    enter();
    if (object.size() > maxBytes) {
      throw ThinImageException.invalid(
          "object-too-large",
          object.key() + " is " + object.size() + " bytes, over the cap of " + maxBytes);
    }
    Stored stored;
    long cut;
    synchronized (this) {
      stored = objects.get(object.key());
      cut = cutAfter;
    }
    try (FileChannel out =
        FileChannel.open(
            partialFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ)) {
      long existing = out.size();
      if (existing == object.size()) {
        // Complete from an earlier call: nothing to fetch, same digest.
        MessageDigest sha = BlobDigest.newSha256();
        hashPrefix(out, existing, sha);
        return new Download(BlobDigest.of(sha.digest()), existing, 0);
      }
      if (stored == null) {
        throw ThinImageException.notFound(
            "object-not-found", "no object " + object.key() + " in " + describe());
      }
      if (!stored.etag().equals(object.etag())) {
        out.truncate(0);
        out.force(true);
        throw ThinImageException.invalid(
            "object-changed",
            object.key()
                + " changed since it was listed (ETag "
                + object.etag()
                + " -> "
                + stored.etag()
                + ")");
      }
      if (stored.body().length > maxBytes) {
        throw ThinImageException.invalid(
            "object-too-large",
            object.key() + " is " + stored.body().length + " bytes, over the cap of " + maxBytes);
      }
      if (existing > stored.body().length) {
        // Longer than the object: cannot be a prefix of it, start over.
        out.truncate(0);
        existing = 0;
      }
      MessageDigest sha = BlobDigest.newSha256();
      hashPrefix(out, existing, sha);
      out.position(existing);
      byte[] body = stored.body();
      long position = existing;
      long transferred = 0;
      boolean cutting = false;
      if (cut >= 0) {
        synchronized (this) {
          cutAfter = -1;
        }
        cutting = true;
      }
      gets.incrementAndGet();
      while (position < body.length) {
        int n = (int) Math.min(CHUNK, body.length - position);
        if (cutting) {
          n = (int) Math.min(n, cut - transferred);
          if (n <= 0) {
            out.force(true);
            throw new ThinImageException(
                ErrorKind.TRANSIENT,
                "transfer-interrupted",
                "transfer of " + object.key() + " cut at byte " + position);
          }
        }
        ByteBuffer buf = ByteBuffer.wrap(body, (int) position, n);
        sha.update(body, (int) position, n);
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        position += n;
        transferred += n;
        progress.accept(position);
      }
      out.force(true);
      return new Download(BlobDigest.of(sha.digest()), position, transferred);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + partialFile, e);
    }
  }

  private static void hashPrefix(FileChannel in, long length, MessageDigest sha)
      throws IOException {
    in.position(0);
    InputStream stream = Channels.newInputStream(in);
    byte[] buf = new byte[CHUNK];
    long left = length;
    while (left > 0) {
      int n = stream.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("file shrank while hashing");
      }
      sha.update(buf, 0, n);
      left -= n;
    }
  }

  /** Applies injected latency and failures at the start of every port call. */
  private void enter() {
    Duration sleep;
    RuntimeException toThrow = null;
    synchronized (this) {
      sleep = latency;
      if (failuresLeft > 0) {
        failuresLeft--;
        toThrow = failure;
      }
    }
    if (!sleep.isZero()) {
      try {
        Thread.sleep(sleep.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ThinImageException.transientFailure("interrupted", "interrupted", e);
      }
    }
    if (toThrow != null) {
      throw toThrow;
    }
  }

  /** Whether {@code key} exists (for assertions). */
  public synchronized boolean contains(String key) {
    return objects.containsKey(key);
  }
}
