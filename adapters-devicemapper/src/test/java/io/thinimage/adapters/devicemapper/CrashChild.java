package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.VolumeSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child JVM for the crash tests: does one pool step, says so on stdout, then waits to be killed
 * with SIGKILL before it could "commit" anything (there is no commit: the parent plays the engine
 * that restarts).
 *
 * <p>Arguments: {@code <mode> <pool name> <mount root> <thin id> <size bytes>}; modes {@code
 * create-volume} (the whole createVolume) and {@code create-thin-only} (the message alone, as if
 * killed between create_thin and activation).
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws InterruptedException {
    String mode = args[0];
    DevicemapperConfig cfg =
        DevicemapperConfig.defaults(args[1], Path.of(args[2]))
            .withTimeouts(VmPool.TIMEOUT, VmPool.TIMEOUT);
    VolumeSpec v = VolumeSpec.of(Long.parseLong(args[3]), Long.parseLong(args[4]));
    ProcessCommandRunner runner = new ProcessCommandRunner();
    switch (mode) {
      case "create-volume" -> new DevicemapperPool(cfg, runner).createVolume(v);
      case "create-thin-only" ->
          new Dmsetup(runner, VmPool.TIMEOUT, 0, Duration.ZERO)
              .createThin(cfg.poolName(), v.thinId());
      default -> throw new IllegalArgumentException(mode);
    }
    System.out.println("STEP-DONE");
    System.out.flush();
    Thread.sleep(Duration.ofMinutes(10).toMillis());
  }
}
