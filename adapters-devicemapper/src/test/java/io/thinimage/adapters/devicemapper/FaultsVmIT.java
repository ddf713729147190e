package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.thinimage.adapters.fs.NioRootFilesystemFactory;
import io.thinimage.adapters.host.LinuxHealthProbe;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProgressListener;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool.PoolStatus;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.testing.FakeObjectStore;
import io.thinimage.core.testing.InMemoryImageRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the devicemapper side of the fault matrix (docs/RELIABILITY.md), through the real
 * adapters: a thin-pool that runs out of data space under an unpack (real kernel, skipped without
 * root and device-mapper; run in the dm VM by {@code .ci/dm-vm-suite.sh}), and a {@code dmsetup}
 * that never returns (a real process that sleeps; needs no device-mapper).
 */
class FaultsVmIT {
  private static final long VOLUME = 256L << 20;
  private static final int LAYER_BYTES = 64 << 20;

  @TempDir Path dir;
  private VmPool vm;

  @AfterEach
  void tearDown() {
    if (vm != null) {
      vm.close();
    }
  }

  // ---- 6. the thin-pool runs out of data space ----

  @Test
  void aPoolThatFillsUpEndsTheRunTypedWithNothingHalfRegistered() throws Exception {
    VmPool.assumeDeviceMapper();
    vm = new VmPool(dir, 48L << 20);
    // No free-space margin: let the kernel pool itself run out, not the adapter's guard.
    DevicemapperPool pool = new DevicemapperPool(vm.config().withThresholds(0.0, 0.0), vm.runner);
    HealthProbe probe = LinuxHealthProbe.forHost(pool);
    InMemoryImageRepository repository = new InMemoryImageRepository();
    FakeObjectStore store = new FakeObjectStore("bucket");
    store.put("images/big/1.tar", bigLayer());
    ImageManager manager =
        ImageManager.builder()
            .repository(repository)
            .objectStore(store)
            .pool(pool)
            .rootFilesystems(new NioRootFilesystemFactory())
            .blobDirectory(dir.resolve("blobs"))
            .healthProbe(probe)
            .config(
                ManagerConfig.defaults()
                    .withVolumeSize(VOLUME)
                    .withUnsafeWait(Duration.ofSeconds(1)))
            .sleeper(d -> {})
            .build();

    ImageReference big = new ImageReference("images/big/");
    List<ThinImageException> failures = new ArrayList<>();
    assertTimeoutPreemptively(
        Duration.ofMinutes(20),
        () ->
            assertThatThrownBy(
                    () -> manager.process(big, ProcessOptions.defaults(), ProgressListener.none()))
                .isInstanceOfSatisfying(ThinImageException.class, failures::add));
    ThinImageException e = failures.get(0);
    System.out.println("pool full: " + e.kind() + " " + e.code() + ": " + e.getMessage());
    assertThat(e.kind()).isIn(ErrorKind.UNSAFE, ErrorKind.TRANSIENT);

    PoolStatus status = pool.status();
    assertThat(status.acceptsAllocations()).isFalse();
    assertThat(status.refusalReason()).isEqualTo("pool-out-of-data-space");
    HealthProbe.HealthReport health = probe.check();
    assertThat(health.unsafe()).as(health.toString()).isTrue();

    // Every thin id the kernel pool holds is one the repository knows: none is half-registered.
    Set<Long> recorded = new TreeSet<>();
    for (Volume v : repository.read(r -> r.listVolumes())) {
      recorded.add(v.thinId());
    }
    if (pool.listsInactiveVolumes()) {
      Set<Long> inPool = new TreeSet<>();
      pool.list().forEach((PoolVolume pv) -> inPool.add(pv.thinId()));
      assertThat(recorded).as("pool %s vs records %s", inPool, recorded).containsAll(inPool);
    }

    // A second attempt is refused before it allocates anything more.
    assertThatThrownBy(
            () -> manager.process(big, ProcessOptions.defaults(), ProgressListener.none()))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            again -> assertThat(again.kind()).isEqualTo(ErrorKind.UNSAFE));
    assertThatThrownBy(() -> pool.createVolume(VolumeSpec.of(99, VOLUME)))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            refused -> assertThat(refused.code()).isEqualTo("pool-out-of-data-space"));
  }

  private static byte[] bigLayer() throws IOException {
    byte[] body = new byte[LAYER_BYTES];
    new Random(6).nextBytes(body);
    ByteArrayOutputStream tar = new ByteArrayOutputStream(LAYER_BYTES + 4096);
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
      TarArchiveEntry entry = new TarArchiveEntry("big.bin");
      entry.setSize(body.length);
      entry.setMode(0644);
      out.putArchiveEntry(entry);
      out.write(body);
      out.closeArchiveEntry();
    }
    return tar.toByteArray();
  }

  // ---- 7. a dmsetup that hangs ----

  @Test
  void aHangingDmsetupTimesOutTransientAndIsKilled() throws Exception {
    Path hang = dir.resolve("dmsetup");
    Files.writeString(hang, "#!/bin/sh\nsleep 3617\n");
    Files.setPosixFilePermissions(hang, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessCommandRunner real = new ProcessCommandRunner();
    // The adapter runs "dmsetup" from the PATH; this stands a hanging one in its place.
    CommandRunner hanging =
        (argv, timeout) -> {
          List<String> cmd = new ArrayList<>(argv);
          if ("dmsetup".equals(cmd.get(0))) {
            cmd.set(0, hang.toString());
          }
          return real.run(cmd, timeout);
        };
    DevicemapperConfig config =
        DevicemapperConfig.defaults("tihang", dir.resolve("mnt"))
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
            .withBusyRetries(0, Duration.ZERO);
    DevicemapperPool pool = new DevicemapperPool(config, hanging);

    assertTimeoutPreemptively(
        Duration.ofMinutes(2),
        () -> {
          assertThatThrownBy(pool::status).satisfies(FaultsVmIT::isDmsetupTimeout);
          assertThatThrownBy(() -> pool.createVolume(VolumeSpec.of(1, VOLUME)))
              .satisfies(FaultsVmIT::isDmsetupTimeout);
        });
    // The timed-out children were killed, not left sleeping.
    assertThat(
            ProcessHandle.allProcesses()
                .filter(
                    p -> {
                      String line = p.info().commandLine().orElse("");
                      return line.contains(hang.toString()) || line.contains("sleep 3617");
                    })
                .filter(ProcessHandle::isAlive)
                .toList())
        .isEmpty();
  }

  private static void isDmsetupTimeout(Throwable t) {
    assertThat(t).isInstanceOf(ThinImageException.class);
    ThinImageException e = (ThinImageException) t;
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(ErrorKind.TRANSIENT);
    assertThat(e.code()).isEqualTo("command-timeout");
    assertThat(e.getMessage()).contains("dmsetup", "did not finish within PT2S", "killed");
  }
}
