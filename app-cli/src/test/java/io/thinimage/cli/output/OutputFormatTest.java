package io.thinimage.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.output.Views.ActivationView;
import io.thinimage.cli.output.Views.ImageList;
import io.thinimage.cli.output.Views.ImageView;
import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OutputFormatTest {
  static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");

  static Image image() {
    BlobDigest d = BlobDigest.sha256("layer-1");
    ImageLayer l =
        new ImageLayer(
            1, new RemoteObject("images/web/1.tar", 2048, "etag1"), d, ChainId.ofBase(d));
    return new Image(
        "img-0123456789abcdef",
        "file:///samples",
        new ImageReference("images/web/"),
        List.of(l),
        ChainId.ofBase(d),
        ImageState.READY,
        null,
        null,
        T,
        T);
  }

  static Activation activation(ActivationState s) {
    return new Activation("act-1", "img-0123456789abcdef", 7, s, "/dev/mapper/pool-ti-7", T, T);
  }

  @Test
  void tablesAlignColumnsAndLeaveNoTrailingSpaces() {
    String text = new Table("A", "LONGER").row("xxxx", 1).row(null, T).render();
    assertThat(text).isEqualTo("A     LONGER\nxxxx  1\n-     2026-01-02T03:04:05Z\n");
  }

  @Test
  void sizesUseBinaryUnits() {
    assertThat(Sizes.human(0)).isEqualTo("0 B");
    assertThat(Sizes.human(1023)).isEqualTo("1023 B");
    assertThat(Sizes.human(1536)).isEqualTo("1.5 KiB");
    assertThat(Sizes.human(2L << 30)).isEqualTo("2.0 GiB");
    assertThat(Sizes.human(-1)).isEqualTo("-");
  }

  @Test
  void imageViewCountsOnlyLiveActivationsOfThatImage() {
    List<Activation> acts = new ArrayList<>();
    acts.add(activation(ActivationState.ACTIVE));
    acts.add(activation(ActivationState.INACTIVE));
    acts.add(new Activation("act-9", "img-other", 9, ActivationState.ACTIVE, "/x", T, T));
    ImageView v = ImageView.of(image(), acts);
    assertThat(v.liveActivations()).isEqualTo(1);
    assertThat(v.state()).isEqualTo("ready");
    assertThat(v.family()).isEqualTo("web");
    assertThat(v.sizeBytes()).isEqualTo(2048);
  }

  @Test
  void jsonIsStableCamelCaseWithIsoTimesInComponentOrder() {
    ImageView v = ImageView.of(image(), List.of(activation(ActivationState.ACTIVE)));
    String json = Printer.toJson(new ImageList(1, List.of(v)));
    JsonNode root = JsonMapper.builder().build().readTree(json);
    assertThat(iterator(root)).containsExactly("count", "images");
    JsonNode img = root.get("images").get(0);
    assertThat(iterator(img))
        .containsExactly(
            "id",
            "reference",
            "family",
            "store",
            "state",
            "sizeBytes",
            "topChain",
            "liveActivations",
            "failureCode",
            "failureMessage",
            "createdAt",
            "updatedAt",
            "layers");
    assertThat(img.get("createdAt").asString()).isEqualTo("2026-01-02T03:04:05.678Z");
    assertThat(img.get("failureCode").isNull()).isTrue();
    assertThat(img.get("layers").get(0).get("digest").asString()).startsWith("sha256:");
  }

  @Test
  void activationViewCarriesTheDevicePath() {
    ActivationView a = ActivationView.of(activation(ActivationState.ACTIVE));
    assertThat(a.active()).isTrue();
    assertThat(a.devicePath()).isEqualTo("/dev/mapper/pool-ti-7");
    assertThat(ActivationView.of(activation(ActivationState.PENDING)).active()).isFalse();
  }

  @Test
  void progressLineShowsStageKeyBarAndBytes() {
    assertThat(TtyProgress.line("download", "images/web/1.tar", 512, 1024))
        .isEqualTo("download images/web/1.tar [###############...............]  50% 512 B/1.0 KiB");
    assertThat(TtyProgress.line("unpack", "k", 5, 0)).isEqualTo("unpack   k 5 B");
    assertThat(TtyProgress.line("download", "k", 5000, 100))
        .contains("[" + "#".repeat(30) + "] 100%");
  }

  private static List<String> iterator(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.propertyNames().forEach(names::add);
    return names;
  }
}
