package io.thinimage.core.testing;

import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.port.BlockDevicePool;
import java.nio.file.Path;
import java.util.List;

/**
 * A pool that, like devicemapper without {@code thin_ls}, lists only its active volumes: after a
 * reboot (see {@link FakeBlockDevicePool#reboot()}) it sees nothing, though every volume exists.
 */
public final class ActiveOnlyPool implements BlockDevicePool {
  private final FakeBlockDevicePool p;

  /** A view of {@code p} that lists only active volumes. */
  public ActiveOnlyPool(FakeBlockDevicePool p) {
    this.p = p;
  }

  @Override
  public String driver() {
    return p.driver();
  }

  @Override
  public PoolStatus status() {
    return p.status();
  }

  @Override
  public void createVolume(VolumeSpec volume) {
    p.createVolume(volume);
  }

  @Override
  public void createSnapshot(VolumeSpec origin, VolumeSpec snapshot) {
    p.createSnapshot(origin, snapshot);
  }

  @Override
  public Path mount(VolumeSpec volume) {
    return p.mount(volume);
  }

  @Override
  public void unmount(VolumeSpec volume) {
    p.unmount(volume);
  }

  @Override
  public String activate(VolumeSpec volume) {
    return p.activate(volume);
  }

  @Override
  public void deactivate(VolumeSpec volume) {
    p.deactivate(volume);
  }

  @Override
  public void delete(VolumeSpec volume) {
    p.delete(volume);
  }

  @Override
  public List<PoolVolume> list() {
    return p.list().stream().filter(PoolVolume::active).toList();
  }

  @Override
  public boolean listsInactiveVolumes() {
    return false;
  }
}
