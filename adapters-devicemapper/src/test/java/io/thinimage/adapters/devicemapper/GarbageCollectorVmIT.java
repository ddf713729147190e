package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thinimage.core.api.GcReport;
import io.thinimage.core.api.GcReport.Kind;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.ManagerConfig;
import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.port.BlockDevicePool.PoolVolume;
import io.thinimage.core.testing.FakeObjectStore;
import io.thinimage.core.testing.InMemoryImageRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc over a real kernel thin-pool: the leftovers only device-mapper has (a thin id no record owns
 * and no device shows, an active device of ours with no record, an activation whose device and thin
 * id are gone) next to what gc must never touch (mounted and recorded volumes, thin ids that
 * devices of other names hold open). Skipped without root and device-mapper; run inside the dm VM
 * by {@code .ci/dm-vm-suite.sh}.
 */
class GarbageCollectorVmIT {
  private static final long SIZE = 128L << 20;
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private VmPool vm;
  private DevicemapperPool pool;
  private Dmsetup dm;
  private final InMemoryImageRepository repository = new InMemoryImageRepository();

  @BeforeEach
  void setUp() {
    VmPool.assumeDeviceMapper();
    vm = new VmPool(dir);
    pool = vm.pool();
    dm = new Dmsetup(vm.runner, VmPool.TIMEOUT, 0, Duration.ZERO);
  }

  @AfterEach
  void tearDown() {
    if (vm != null) {
      vm.close();
    }
  }

  private static VolumeSpec v(long id) {
    return VolumeSpec.of(id, SIZE);
  }

  private ImageManager manager() {
    return ImageManager.builder()
        .repository(repository)
        .objectStore(new FakeObjectStore("bucket"))
        .pool(pool)
        .rootFilesystems(
            root -> {
              throw new UnsupportedOperationException("gc unpacks nothing");
            })
        .blobDirectory(dir.resolve("blobs"))
        .config(ManagerConfig.defaults().withVolumeSize(SIZE))
        // gc alone: no reconcile first, which would re-activate and mark volumes itself
        .resumeOnBuild(false)
        .build();
  }

  /** A snapshot as activate leaves it: an activation volume and its ACTIVE row. */
  private void recordActivation(long thinId) {
    repository.inTransaction(
        tx -> {
          tx.insertVolume(
              new Volume(
                  thinId,
                  VolumeKind.ACTIVATION,
                  null,
                  null,
                  SIZE,
                  VolumeState.READY,
                  null,
                  NOW,
                  NOW));
          tx.insertActivation(
              new Activation(
                  "act-" + thinId,
                  "img-00000000000000aa",
                  thinId,
                  ActivationState.ACTIVE,
                  pool.devicePath(v(thinId)),
                  NOW,
                  NOW));
          return null;
        });
  }

  private static Map<String, Kind> kinds(GcReport r) {
    Map<String, Kind> out = new TreeMap<>();
    r.findings().forEach(f -> assertThat(out.put(f.object(), f.kind())).isNull());
    return out;
  }

  private Map<Long, PoolVolume> listed() {
    Map<Long, PoolVolume> out = new TreeMap<>();
    pool.list().forEach(pv -> out.put(pv.thinId(), pv));
    return out;
  }

  @Test
  void dryRunListsTheDmLeftoversForceRemovesExactlyThemAndNeverAMountedOrOwnedDevice()
      throws IOException {
    assumeTrue(pool.listsInactiveVolumes(), "thin_ls is needed to see inactive thin ids");
    ImageManager m = manager();

    // ---- what gc must keep ----
    // ti-1: a snapshot in use, mounted by its consumer
    pool.createVolume(v(1));
    Path mounted = pool.mount(v(1));
    Files.writeString(mounted.resolve("data.txt"), "a consumer's data");
    recordActivation(1);
    // ti-2: a snapshot whose device is active
    pool.createVolume(v(2));
    recordActivation(2);
    // ti-3: a snapshot whose device is down (as after a reboot): reconcile's job, not gc's
    pool.createVolume(v(3));
    pool.deactivate(v(3));
    recordActivation(3);
    // ti-5: a snapshot whose own device is down while an operator looks at it through another
    String inspect = vm.name + "-inspect";
    pool.createVolume(v(5));
    pool.deactivate(v(5));
    recordActivation(5);
    dm.create(inspect, pool.table(v(5)));
    // thin 14: no record, opened by a device that is not named by us
    String foreign = vm.name + "-scratch";
    dm.createThin(vm.name, 14);
    dm.create(foreign, pool.table(v(14)));
    assertThat(kinds(m.gc(false)))
        .as("nothing to act on yet")
        .isEqualTo(Map.of("ti-14", Kind.MOUNTED_SKIPPED));

    // ---- the leftovers ----
    // an inactive thin id no record owns: create_thin whose caller died before activating it
    dm.createThin(vm.name, 10);
    // an active device of ours with no record
    dm.createThin(vm.name, 11);
    dm.create(pool.deviceName(v(11)), pool.table(v(11)));
    // a stale activation: its row says ACTIVE, its device and thin id are gone
    pool.createVolume(v(12));
    recordActivation(12);
    dm.remove(pool.deviceName(v(12)));
    dm.message(vm.name, "delete 12");
    // a volume of ours with no record that someone mounted: reported, never touched
    pool.createVolume(v(13));
    Path strayMount = pool.mount(v(13));
    Files.writeString(strayMount.resolve("note.txt"), "someone is using this");

    GcReport dry = m.gc(false);
    assertThat(dry.applied()).isFalse();
    assertThat(kinds(dry))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "ti-10", Kind.ORPHAN_VOLUME,
                "ti-11", Kind.ORPHAN_VOLUME,
                "ti-12", Kind.RECORD_WITHOUT_VOLUME,
                "ti-13", Kind.MOUNTED_SKIPPED,
                "ti-14", Kind.MOUNTED_SKIPPED));
    assertThat(listed().keySet()).as("a dry run changes nothing").contains(10L, 11L, 13L);

    GcReport forced = m.gc(true);
    assertThat(forced.applied()).isTrue();
    assertThat(kinds(forced)).isEqualTo(kinds(dry));

    // the orphans are gone from the kernel: no device, no thin id
    Map<Long, PoolVolume> after = listed();
    assertThat(after.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 5L, 13L, 14L);
    assertThat(dm.info(pool.deviceName(v(11)))).isEmpty();
    assertThat(new ThinLs(vm.runner, dm, VmPool.TIMEOUT).thinIds(vm.name).orElseThrow())
        .containsExactlyInAnyOrder(1L, 2L, 3L, 5L, 13L, 14L);
    // the stale row is forgotten: no volume record, the activation is history
    repository.read(
        r -> {
          assertThat(r.findVolume(12)).isEmpty();
          assertThat(r.findActivation("act-12").orElseThrow().state())
              .isEqualTo(ActivationState.INACTIVE);
          for (long id : new long[] {1, 2, 3, 5}) {
            assertThat(r.findVolume(id)).isPresent();
            assertThat(r.findActivation("act-" + id).orElseThrow().state())
                .isEqualTo(ActivationState.ACTIVE);
          }
          return null;
        });
    // what gc must keep is as it was
    assertThat(after.get(1L).mounted()).isTrue();
    assertThat(mounted.resolve("data.txt")).hasContent("a consumer's data");
    assertThat(after.get(2L).active()).isTrue();
    assertThat(after.get(3L).active()).isFalse();
    assertThat(after.get(13L).mounted()).isTrue();
    assertThat(strayMount.resolve("note.txt")).hasContent("someone is using this");
    assertThat(dm.info(foreign)).hasValueSatisfying(i -> assertThat(i.live()).isTrue());
    assertThat(dm.info(inspect)).hasValueSatisfying(i -> assertThat(i.live()).isTrue());
    // held open by devices of other names: in use, while our own device for ti-5 stays down
    assertThat(after.get(5L)).isEqualTo(new PoolVolume(5, false, true, null));
    assertThat(after.get(14L)).isEqualTo(new PoolVolume(14, false, true, null));

    // only what is in use is left, and nothing to act on
    assertThat(kinds(m.gc(false)))
        .isEqualTo(Map.of("ti-13", Kind.MOUNTED_SKIPPED, "ti-14", Kind.MOUNTED_SKIPPED));

    // once their users let go, the stray volume and the stray thin are ordinary orphans
    assertThat(vm.sh("umount", strayMount.toString()).ok()).isTrue();
    dm.remove(foreign);
    dm.remove(inspect);
    assertThat(kinds(m.gc(true)))
        .isEqualTo(Map.of("ti-13", Kind.ORPHAN_VOLUME, "ti-14", Kind.ORPHAN_VOLUME));
    assertThat(m.gc(false).findings()).isEmpty();
    assertThat(listed().keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 5L);
  }

  @Test
  void withoutThinLsARecordOfAnInactiveVolumeIsReportedNeverForgotten() {
    DevicemapperConfig c = vm.config();
    pool =
        new DevicemapperPool(
            new DevicemapperConfig(
                c.poolName(),
                c.mountRoot(),
                c.minFreeDataRatio(),
                c.minFreeMetadataRatio(),
                c.commandTimeout(),
                c.mkfsTimeout(),
                c.busyRetries(),
                c.busyRetryDelay(),
                c.mkfsExtendedOptions(),
                false),
            vm.runner);
    assertThat(pool.listsInactiveVolumes()).isFalse();
    ImageManager m = manager();
    // ti-3: a snapshot whose device is down, as every device is after a reboot
    pool.createVolume(v(3));
    pool.deactivate(v(3));
    recordActivation(3);
    pool.createVolume(v(4));
    recordActivation(4);

    GcReport dry = m.gc(false);
    assertThat(dry.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Kind.RECORD_WITHOUT_VOLUME);
              assertThat(f.object()).isEqualTo("ti-3");
              assertThat(f.action()).isEqualTo("none");
            });
    assertThat(m.gc(true).findings()).hasSize(1);

    repository.read(
        r -> {
          assertThat(r.findVolume(3)).isPresent();
          assertThat(r.findActivation("act-3").orElseThrow().state())
              .isEqualTo(ActivationState.ACTIVE);
          return null;
        });
    assertThat(new ThinLs(vm.runner, dm, VmPool.TIMEOUT).thinIds(vm.name).orElseThrow())
        .containsExactlyInAnyOrder(3L, 4L);
    // the volume is all there: it activates again
    assertThat(pool.activate(v(3))).isEqualTo(pool.devicePath(v(3)));
    assertThat(m.gc(false).findings()).isEmpty();
  }
}
