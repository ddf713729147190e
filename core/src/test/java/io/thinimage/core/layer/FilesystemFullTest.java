package io.thinimage.core.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.testing.InMemoryRootFilesystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * A filesystem that runs out of space in the middle of a file (ENOSPC) is a failure of the host,
 * not of the layer: the applier must report a TRANSIENT {@code layer-io-error}, never blame a
 * well-formed layer as truncated (INVALID_INPUT would mark the image failed for good).
 */
class FilesystemFullTest {
  private static final int STORED_BEFORE_FULL = 4096;

  @Test
  void noSpaceMidFileIsAnIoErrorNotATruncatedLayer() {
    byte[] tar = LayerTar.layer().file("big.bin", new byte[64 << 10], 0644, 0, 0).bytes();
    LayerApplier applier = new LayerApplier(LayerLimits.defaults(), Clock.systemUTC());

    assertThatThrownBy(
            () -> applier.apply(new ByteArrayInputStream(tar), LayerTar.digest(tar), fullAfter()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.code()).isEqualTo("layer-io-error");
              assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
              assertThat(e.getMessage()).contains("No space left on device");
            });
  }

  @Test
  void aLayerThatEndsEarlyIsStillTruncatedWhenTheWriteFailsToo() {
    byte[] full = LayerTar.layer().file("big.bin", new byte[64 << 10], 0644, 0, 0).bytes();
    byte[] cut = java.util.Arrays.copyOf(full, 512 + 100);
    LayerApplier applier = new LayerApplier(LayerLimits.defaults(), Clock.systemUTC());

    assertThatThrownBy(
            () ->
                applier.apply(
                    new ByteArrayInputStream(cut), LayerTar.digest(cut), readAllThenFail()))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.code()).isEqualTo("layer-truncated"));
  }

  /** An in-memory root whose file writes store a few KiB, then fail as a full disk does. */
  private static RootFilesystem fullAfter() {
    return failingCreateFile(
        content -> {
          content.readNBytes(STORED_BEFORE_FULL);
          throw new IOException("No space left on device");
        });
  }

  /** An in-memory root whose file writes consume the whole entry, then fail. */
  private static RootFilesystem readAllThenFail() {
    return failingCreateFile(
        content -> {
          content.readAllBytes();
          throw new IOException("No space left on device");
        });
  }

  private interface Write {
    void accept(InputStream content) throws IOException;
  }

  private static RootFilesystem failingCreateFile(Write write) {
    RootFilesystem real = new InMemoryRootFilesystem();
    return (RootFilesystem)
        Proxy.newProxyInstance(
            RootFilesystem.class.getClassLoader(),
            new Class<?>[] {RootFilesystem.class},
            (proxy, method, args) -> {
              if ("createFile".equals(method.getName())) {
                write.accept((InputStream) args[1]);
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
