package io.thinimage.cli.commands;

import io.thinimage.cli.options.ByteSize;
import io.thinimage.cli.wiring.PoolProvisioner;
import io.thinimage.cli.wiring.PoolProvisioner.Outcome;
import io.thinimage.cli.wiring.PoolProvisioner.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code setup-pool}: make the pool exist, never destroying an existing one. */
@Command(
    name = "setup-pool",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Create the pool, or re-attach it after a reboot; never destroys data.",
      "devicemapper (as root): create the backing files <data-dir>/pool_data and pool_meta only"
          + " if both are absent, reuse loop devices bound to them, and load the thin-pool table"
          + " (reload else create), so running it after a reboot re-attaches every volume. Never"
          + " deletes or truncates a backing file. directory: create the data directories."
          + " analyze-s3 recommends sizes for a bucket."
    })
public final class SetupPoolCommand extends BaseCommand {

  @Option(
      names = "--data-size",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      defaultValue = "${env:THINIMAGE_POOL_DATA_SIZE:-8G}",
      description = "Size of a new data file (4096, 512M, 8G). Env THINIMAGE_POOL_DATA_SIZE.")
  long dataSize;

  @Option(
      names = "--metadata-size",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      defaultValue = "${env:THINIMAGE_POOL_METADATA_SIZE:-0}",
      description =
          "Size of a new metadata file; 0 = the kernel's guide (48 bytes per data block, at least"
              + " 2 MiB). Env THINIMAGE_POOL_METADATA_SIZE.")
  long metadataSize;

  @Option(
      names = "--block-sectors",
      paramLabel = "N",
      defaultValue = "128",
      description = "Data block size in 512-byte sectors (128 = 64 KiB; multiple of 128).")
  long blockSectors;

  @Option(
      names = "--low-water-mark",
      paramLabel = "BLOCKS",
      defaultValue = "-1",
      description = "Free data blocks that raise a kernel event (in blocks); -1 = a tenth of them.")
  long lowWaterMark;

  @Override
  protected boolean mutating() {
    return true;
  }

  @Override
  protected int run(CliContext ctx) {
    Outcome o =
        ctx.get(PoolProvisioner.class)
            .provision(new Request(dataSize, metadataSize, blockSectors, lowWaterMark));
    if (ctx.printer().json()) {
      ctx.printer().printJson(o);
    } else {
      ctx.printer().println("Pool (" + o.driver() + "): " + o.action());
      o.details().forEach(d -> ctx.printer().println("  " + d));
    }
    return 0;
  }
}
