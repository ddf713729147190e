package io.thinimage.adapters.devicemapper;

import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.testing.BlockDevicePoolContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/**
 * The pool contract on a real kernel thin-pool (loop-backed, made per test). Skipped where there is
 * no device-mapper or no root; run by {@code .ci/dm-vm-suite.sh} inside the dm VM.
 */
class DevicemapperPoolContractVmIT extends BlockDevicePoolContract {
  private VmPool vm;

  @Override
  protected BlockDevicePool newPool(Path dir) {
    vm = new VmPool(dir);
    return vm.pool();
  }

  @Override
  protected boolean providesBlockDevices() {
    return true;
  }

  @AfterEach
  void tearDown() {
    if (vm != null) {
      vm.close();
    }
  }
}
