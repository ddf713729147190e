package io.thinimage.cli.commands;

import io.thinimage.cli.output.Sizes;
import io.thinimage.cli.output.TtyProgress;
import io.thinimage.cli.output.Views.ProcessView;
import io.thinimage.core.api.ProcessOptions;
import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code process-image}: pull, unpack and activate an image; a no-op when it is already done. */
@Command(
    name = "process-image",
    mixinStandardHelpOptions = true,
    description = {
      "Download, unpack and activate an image, doing only what is not done yet.",
      "Downloads only missing layers, unpacks only chains not built yet, and activates unless a"
          + " live snapshot exists. A family prefix (images/web/) is all its <n>.tar layers in"
          + " numeric order; a key (images/web/2.tar) is a one-layer image. Re-running it for a"
          + " processed image does nothing and prints the existing snapshot."
    })
public final class ProcessImageCommand extends BaseCommand {

  @Option(
      names = "--s3-key",
      required = true,
      paramLabel = "KEY|PREFIX/",
      description = "The image: a family prefix ending in / or a single layer key.")
  String s3Key;

  @Option(
      names = "--image-id",
      paramLabel = "ID",
      description =
          "Expected image id. Ids are derived from the store and the key (img-<16 hex>); a"
              + " different id is refused rather than silently creating a second identity.")
  String imageId;

  @Option(
      names = "--new-activation",
      description = "Create another snapshot even if the image already has a live one.")
  boolean newActivation;

  @Override
  protected boolean usesDaemonWhenLive() {
    return true;
  }

  @Override
  protected boolean mutating() {
    return true;
  }

  @Override
  protected int run(CliContext ctx) {
    ImageReference reference = new ImageReference(s3Key);
    String store = ctx.viaDaemon() ? daemonStore(ctx) : ctx.get(ObjectStore.class).describe();
    if (imageId != null) {
      String derived = Image.idFor(store, reference);
      if (!derived.equals(imageId)) {
        throw ThinImageException.invalid(
            "image-id-mismatch",
            "--image-id " + imageId + " does not match " + derived + ", the id of " + reference);
      }
    }
    ProcessResult result =
        ctx.manager()
            .process(
                reference,
                new ProcessOptions(newActivation, true),
                TtyProgress.forConsole(ctx.err(), !ctx.printer().json()));
    ProcessView view = ProcessView.of(result);
    if (ctx.printer().json()) {
      ctx.printer().printJson(view);
    } else {
      print(view, ctx.printer().out());
    }
    return 0;
  }

  /**
   * The daemon's store, refused when this command names another one: the daemon would process the
   * key in its own store, which is not what was asked.
   */
  private static String daemonStore(CliContext ctx) {
    String theirs = ctx.manager().status().objectStore();
    String ours = ctx.config().storeUri();
    if (!strip(theirs).equals(strip(ours))) {
      throw ThinImageException.conflict(
          "daemon-store-mismatch",
          "the daemon on "
              + ctx.config().socket()
              + " serves "
              + theirs
              + ", not "
              + ours
              + "; use its store, or stop it to work on another");
    }
    return theirs;
  }

  private static String strip(String uri) {
    String u = uri;
    while (u.endsWith("/") && !u.endsWith("://")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  static void print(ProcessView v, PrintWriter out) {
    out.println(
        v.alreadyDone()
            ? "Image already processed: nothing downloaded, unpacked or created."
            : "Image processed successfully.");
    out.printf("  Image ID:       %s%n", v.image().id());
    out.printf("  Reference:      %s (%s)%n", v.image().reference(), v.image().store());
    out.printf(
        "  Layers:         %d (%s)%n",
        v.image().layers().size(), Sizes.human(v.image().sizeBytes()));
    out.printf(
        "  Downloaded:     %d blobs, %s%n", v.blobsDownloaded(), Sizes.human(v.bytesDownloaded()));
    out.printf("  Volumes built:  %d%n", v.volumesBuilt());
    if (v.activation() != null) {
      out.printf("  Snapshot ID:    %s%n", v.activation().id());
      out.printf("  Device Path:    %s%n", v.activation().devicePath());
    }
    out.flush();
  }
}
