package io.thinimage.adapters.s3;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * {@link ObjectStore} on a local directory with the same key layout as the bucket: a key is a
 * relative path under the directory ({@code images/golang/1.tar}). For offline use, demos and
 * mirrors.
 *
 * <p>The ETag is derived from size, modification time and file identity (device and inode), so an
 * object replaced by rename, or rewritten with another size or later mtime, has a new ETag. An
 * in-place rewrite with the same size within one timestamp tick is not detected: replace files by
 * writing a temporary file and renaming it over the old one. Symbolic links are followed only when
 * their target is a regular file inside the directory; anything resolving outside is ignored by
 * listings and refused by downloads. Thread-safe (stateless apart from the root).
 */
public final class LocalDirectoryObjectStore implements ObjectStore {
  private static final int BUFFER = 256 * 1024;

  private final Path root;

  /** A store over {@code directory}, which must exist. */
  public LocalDirectoryObjectStore(Path directory) {
    Objects.requireNonNull(directory, "directory");
    try {
      this.root = directory.toRealPath();
    } catch (IOException e) {
      throw ThinImageException.notFound(
          "store-not-found", "object store directory " + directory + " does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw ThinImageException.invalid(
          "store-not-a-directory", "object store " + directory + " is not a directory");
    }
  }

  /** The real path of the directory this store serves. */
  public Path root() {
    return root;
  }

  @Override
  public String describe() {
    return "file://" + root;
  }

  @Override
  public List<RemoteObject> resolve(ImageReference reference) {
    if (reference.isFamily()) {
      List<RemoteObject> listed = list(reference.value());
      Map<String, RemoteObject> byKey = new HashMap<>();
      listed.forEach(o -> byKey.put(o.key(), o));
      return reference.orderFamilyKeys(new ArrayList<>(byKey.keySet())).stream()
          .map(byKey::get)
          .toList();
    }
    Path file = inside(reference.value());
    return List.of(new RemoteObject(reference.value(), attributes(file).size(), etag(file)));
  }

  @Override
  public List<RemoteObject> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.startsWith("/") || List.of(prefix.split("/", -1)).contains("..")) {
      return List.of();
    }
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<RemoteObject> out = new ArrayList<>();
    try {
      // Not following links: a symlinked directory is visited as a file (and skipped below).
      Files.walkFileTree(
          start,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String key = keyOf(file);
              if (!key.startsWith(prefix)) {
                return FileVisitResult.CONTINUE;
              }
              if (attrs.isRegularFile()) {
                out.add(new RemoteObject(key, attrs.size(), etag(attrs)));
              } else if (attrs.isSymbolicLink()) {
                Path target = realInside(file);
                if (target != null && Files.isRegularFile(target)) {
                  BasicFileAttributes t = attributes(target);
                  out.add(new RemoteObject(key, t.size(), etag(t)));
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              throw e;
            }
          });
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.TRANSIENT, "local-store-io", "cannot list " + start + ": " + e, e);
    }
    out.sort(Comparator.comparing(RemoteObject::key));
    return List.copyOf(out);
  }

  @Override
  public Download download(
      RemoteObject object, Path partialFile, long maxBytes, LongConsumer progress) {
    if (object.size() > maxBytes) {
      throw ThinImageException.invalid(
          "object-too-large",
          object.key() + " is " + object.size() + " bytes, over the cap of " + maxBytes);
    }
    try (PartialFile file = PartialFile.open(partialFile, object.size())) {
      if (file.length() == object.size()) {
        return file.finish(0);
      }
      Path source = inside(object.key());
      if (!etag(source).equals(object.etag())) {
        file.reset();
        throw changed(object);
      }
      long transferred = 0;
      try (FileChannel in =
          FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        byte[] buf = new byte[BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long position = file.length();
        while (position < object.size()) {
          bb.clear();
          bb.limit((int) Math.min(buf.length, object.size() - position));
          int n = in.read(bb, position);
          if (n < 0) {
            break;
          }
          file.append(buf, 0, n);
          position += n;
          transferred += n;
          progress.accept(position);
        }
      } catch (IOException e) {
        file.sync();
        throw new ThinImageException(
            ErrorKind.TRANSIENT, "local-store-io", "cannot read " + source + ": " + e, e);
      }
      // Checked again after the copy: a writer that replaced the file meanwhile is caught here.
      if (file.length() != object.size() || !etag(source).equals(object.etag())) {
        file.reset();
        throw changed(object);
      }
      return file.finish(transferred);
    }
  }

  /** The real path of {@code key}, refusing anything that leaves the root; NOT_FOUND if absent. */
  private Path inside(String key) {
    for (String component : key.split("/", -1)) {
      if (component.isEmpty() || component.equals(".") || component.equals("..")) {
        throw ThinImageException.invalid("bad-key", "not a relative key: " + key);
      }
    }
    Path candidate = root.resolve(key);
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      throw ThinImageException.notFound(
          "object-not-found", "no object " + key + " in " + describe());
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.TRANSIENT, "local-store-io", "cannot resolve " + candidate + ": " + e, e);
    }
    if (!real.startsWith(root)) {
      throw ThinImageException.unsafe(
          "object-outside-store", key + " resolves outside " + describe() + " (symbolic link)");
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw ThinImageException.notFound(
          "object-not-found", key + " in " + describe() + " is not a regular file");
    }
    return real;
  }

  /** The real path of a symlink's target if it stays inside the root, else null. */
  private Path realInside(Path link) {
    try {
      Path real = link.toRealPath();
      return real.startsWith(root) ? real : null;
    } catch (IOException e) {
      return null; // dangling
    }
  }

  private String keyOf(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private static BasicFileAttributes attributes(Path real) {
    try {
      return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.TRANSIENT, "local-store-io", "cannot stat " + real + ": " + e, e);
    }
  }

  private static String etag(Path real) {
    return etag(attributes(real));
  }

  /** size + mtime (ns) + file identity, hashed to 32 hex characters like an MD5 ETag. */
  private static String etag(BasicFileAttributes attrs) {
    String identity =
        attrs.size() + ":" + attrs.lastModifiedTime().toInstant() + ":" + attrs.fileKey();
    return BlobDigest.sha256(identity).hex().substring(0, 32);
  }

  private ThinImageException changed(RemoteObject object) {
    return new ThinImageException(
        ErrorKind.INVALID_INPUT,
        "object-changed",
        object.key() + " in " + describe() + " changed since it was listed");
  }
}
