package io.thinimage.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.output.Views.ActivationView;
import io.thinimage.cli.output.Views.ImageView;
import io.thinimage.cli.output.Views.ProcessView;
import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandOutputTest {
  static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

  static Image image(ImageState state, String code) {
    BlobDigest d = BlobDigest.sha256("x");
    return new Image(
        "img-aaaa",
        "s3://bucket",
        new ImageReference("images/web/"),
        List.of(
            new ImageLayer(
                1, new RemoteObject("images/web/1.tar", 4096, "e"), d, ChainId.ofBase(d))),
        ChainId.ofBase(d),
        state,
        code,
        code == null ? null : "why",
        T,
        T);
  }

  static Activation act() {
    return new Activation(
        "act-1", "img-aaaa", 3, ActivationState.ACTIVE, "/dev/mapper/pool-ti-3", T, T);
  }

  @Test
  void listImagesTableShowsStateAndFailureCode() {
    String text =
        ListImagesCommand.render(
            List.of(
                ImageView.of(image(ImageState.READY, null), List.of(act())),
                ImageView.of(image(ImageState.FAILED, "layer-path-escape"), List.of())));
    assertThat(text.lines().findFirst().orElseThrow())
        .startsWith("IMAGE ID")
        .contains("REFERENCE", "STATE", "LAYERS", "SIZE", "SNAPSHOTS", "UPDATED");
    assertThat(text)
        .contains("ready", "failed (layer-path-escape)", "4.0 KiB", "2026-01-02T03:04:05Z");
    assertThat(ListImagesCommand.render(List.of())).isEqualTo("No images.\n");
  }

  @Test
  void listSnapshotsTableShowsTheDevicePath() {
    String text = ListSnapshotsCommand.render(List.of(ActivationView.of(act())));
    assertThat(text).contains("DEVICE PATH", "/dev/mapper/pool-ti-3", "act-1", "active");
    assertThat(ListSnapshotsCommand.render(List.of())).isEqualTo("No snapshots.\n");
  }

  @Test
  void processImageSaysWhetherItHadAnythingToDo() {
    StringWriter first = new StringWriter();
    ProcessImageCommand.print(
        ProcessView.of(
            new ProcessResult(image(ImageState.READY, null), act(), false, 1, 4096, 1, "run-1")),
        new PrintWriter(first));
    assertThat(first.toString())
        .startsWith("Image processed successfully.")
        .contains("Downloaded:     1 blobs, 4.0 KiB")
        .contains("Device Path:    /dev/mapper/pool-ti-3");
    StringWriter again = new StringWriter();
    ProcessImageCommand.print(
        ProcessView.of(
            new ProcessResult(image(ImageState.READY, null), act(), true, 0, 0, 0, "run-1")),
        new PrintWriter(again));
    assertThat(again.toString())
        .startsWith("Image already processed: nothing downloaded, unpacked or created.")
        .contains("Volumes built:  0");
  }

  @Test
  void gcSaysWhenThereIsNothingAndWhatForceWouldDo() {
    assertThat(GcCommand.render(new GcCommand.GcView(false, 0, List.of())))
        .isEqualTo("Nothing to collect.\n");
    String text =
        GcCommand.render(
            new GcCommand.GcView(
                false,
                1,
                List.of(
                    new GcCommand.FindingView(
                        "orphan-volume", "ti-9", "no record", "delete the volume"))));
    assertThat(text)
        .contains("KIND", "orphan-volume", "ti-9", "delete the volume")
        .endsWith("1 leftovers; run gc --force to act on them.\n");
    // a dry run with a retention names the command that acts on what it found
    assertThat(
            GcCommand.render(
                new GcCommand.GcView(
                    false,
                    1,
                    List.of(
                        new GcCommand.FindingView(
                            "expired-image", "img-1", "unused", "delete image"))),
                "gc --force --unused-for 30d"))
        .contains("expired-image")
        .endsWith("1 leftovers; run gc --force --unused-for 30d to act on them.\n");
  }
}
