package io.thinimage.cli.commands;

import io.thinimage.cli.output.Sizes;
import io.thinimage.cli.output.Table;
import io.thinimage.core.port.ObjectStore;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code analyze-s3 [PREFIX]}: what a bucket holds and how big a pool it needs. */
@Command(
    name = "analyze-s3",
    mixinStandardHelpOptions = true,
    description = {
      "Report a bucket's sizes, shared layers and the pool size it needs.",
      "Lists PREFIX and reports sizes, unique blobs (by ETag and size), layers shared across"
          + " families and recommended pool data and metadata sizes with the formula. Reads the"
          + " listing only: no download, no database."
    })
public final class AnalyzeS3Command extends BaseCommand {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "PREFIX",
      defaultValue = "images/",
      description = "Key prefix to analyse. Default: ${DEFAULT-VALUE}")
  String prefix;

  @Override
  protected boolean mutating() {
    return false;
  }

  @Override
  protected int run(CliContext ctx) {
    ObjectStore store = ctx.get(ObjectStore.class);
    S3Analysis a = S3Analysis.of(prefix, store.list(prefix));
    if (ctx.printer().json()) {
      ctx.printer().printJson(a);
    } else {
      print(store.describe(), a, ctx.printer().out());
    }
    return 0;
  }

  static void print(String store, S3Analysis a, PrintWriter out) {
    out.printf("Store:          %s, prefix %s%n", store, a.prefix());
    out.printf("Objects:        %d, %s%n", a.objects(), Sizes.human(a.totalBytes()));
    out.printf(
        "Unique blobs:   %d, %s (by ETag and size)%n",
        a.uniqueBlobs(), Sizes.human(a.uniqueBytes()));
    out.printf(
        "Chain volumes:  %d (%d bottom), %s of layers to unpack%n",
        a.chainVolumes(), a.baseVolumes(), Sizes.human(a.chainBytes()));
    if (!a.families().isEmpty()) {
      Table t = new Table("FAMILY", "LAYERS", "KEYS");
      a.families().forEach((f, keys) -> t.row(f, keys.size(), String.join(" ", tail(keys))));
      out.println();
      out.print(t.render());
    }
    if (!a.shared().isEmpty()) {
      out.println();
      Table t = new Table("SHARED BLOB (ETAG)", "SIZE", "KEYS");
      for (S3Analysis.SharedBlob s : a.shared()) {
        t.row(s.etag(), Sizes.human(s.sizeBytes()), String.join(" ", s.keys()));
      }
      out.print(t.render());
    }
    if (!a.ignored().isEmpty()) {
      out.println();
      out.println("Not layers (ignored): " + String.join(" ", a.ignored()));
    }
    S3Analysis.PoolRecommendation r = a.recommendation();
    out.println();
    out.printf(
        "Recommended pool: data %s, metadata %s, block %d sectors, low water mark %d blocks%n",
        Sizes.human(r.dataBytes()),
        Sizes.human(r.metadataBytes()),
        r.dataBlockSectors(),
        r.lowWaterMarkBlocks());
    r.formula().forEach(f -> out.println("  " + f));
    out.printf(
        "  thinimage setup-pool --data-size %dM --metadata-size %dM --block-sectors %d%n",
        r.dataBytes() >> 20, r.metadataBytes() >> 20, r.dataBlockSectors());
    out.flush();
  }

  private static List<String> tail(List<String> keys) {
    return keys.stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList();
  }
}
