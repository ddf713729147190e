package io.thinimage.cli.wiring;

import io.thinimage.adapters.devicemapper.PoolSetup;
import io.thinimage.adapters.devicemapper.PoolSetupOptions;
import io.thinimage.adapters.devicemapper.ProcessCommandRunner;
import io.thinimage.cli.options.CliConfig;
import io.thinimage.core.domain.ThinImageException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code setup-pool} for devicemapper: the adapter's non-destructive {@link PoolSetup} on {@code
 * <data-dir>/pool_data} and {@code pool_meta}, with error_if_no_space so a full pool fails writes
 * instead of hanging them.
 */
final class DevicemapperProvisioner implements PoolProvisioner {
  private final CliConfig config;

  DevicemapperProvisioner(CliConfig config) {
    this.config = config;
  }

  @Override
  public Outcome provision(Request r) {
    long blockBytes = r.dataBlockSectors() * 512;
    long meta =
        r.metadataSizeBytes() > 0
            ? r.metadataSizeBytes()
            : PoolSetupOptions.recommendedMetadataBytes(r.dataSizeBytes(), r.dataBlockSectors());
    long lowWater =
        r.lowWaterMarkBlocks() >= 0 ? r.lowWaterMarkBlocks() : r.dataSizeBytes() / blockBytes / 10;
    PoolSetupOptions options;
    try {
      options =
          new PoolSetupOptions(
              config.poolName(),
              config.poolDataFile(),
              config.poolMetadataFile(),
              r.dataSizeBytes(),
              meta,
              r.dataBlockSectors(),
              lowWater,
              true);
    } catch (IllegalArgumentException e) {
      throw ThinImageException.invalid("bad-option", e.getMessage());
    }
    PoolSetup.Report rep =
        new PoolSetup(new ProcessCommandRunner(), Duration.ofSeconds(60)).ensure(options);
    return new Outcome(
        "devicemapper",
        rep.action().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        List.of(
            "pool          /dev/mapper/" + config.poolName(),
            "data file     " + config.poolDataFile() + (rep.filesCreated() ? " (created)" : ""),
            "metadata file " + config.poolMetadataFile() + (rep.filesCreated() ? " (created)" : ""),
            "loop devices  data " + rep.dataLoop() + ", metadata " + rep.metadataLoop(),
            "table         " + rep.table()));
  }
}
