package io.thinimage.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.RemoteObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class S3AnalysisTest {
  static RemoteObject o(String key, long size, String etag) {
    return new RemoteObject(key, size, etag);
  }

  @Test
  void sharedBaseLayersAreCountedOnceAndReported() {
    S3Analysis a =
        S3Analysis.of(
            "images/",
            List.of(
                o("images/golang/1.tar", 100, "a"),
                o("images/golang/2.tar", 50, "b"),
                o("images/golang/3.tar", 10, "g"),
                o("images/node/1.tar", 100, "a"),
                o("images/node/2.tar", 50, "b"),
                o("images/node/3.tar", 20, "n"),
                o("images/README", 5, "r")));
    assertThat(a.objects()).isEqualTo(7);
    assertThat(a.totalBytes()).isEqualTo(335);
    assertThat(a.uniqueBlobs()).isEqualTo(4);
    assertThat(a.uniqueBytes()).isEqualTo(180);
    // chains: [a] [a,b] [a,b,g] [a,b,n]
    assertThat(a.chainVolumes()).isEqualTo(4);
    assertThat(a.chainBytes()).isEqualTo(180);
    assertThat(a.baseVolumes()).isEqualTo(1);
    assertThat(a.shared()).extracting(S3Analysis.SharedBlob::etag).containsExactly("a", "b");
    assertThat(a.shared().get(0).keys())
        .containsExactly("images/golang/1.tar", "images/node/1.tar");
    assertThat(a.ignored()).containsExactly("images/README");
  }

  @Test
  void layersAreOrderedNumerically() {
    S3Analysis a =
        S3Analysis.of(
            "images/",
            List.of(
                o("images/f/10.tar", 1, "x10"),
                o("images/f/2.tar", 1, "x2"),
                o("images/f/1.tar", 1, "x1")));
    assertThat(a.families().get("images/f/"))
        .containsExactly("images/f/1.tar", "images/f/2.tar", "images/f/10.tar");
  }

  @Test
  void sameBlobOnTopOfDifferentChainsIsTwoVolumes() {
    S3Analysis a =
        S3Analysis.of(
            "",
            List.of(
                o("a/1.tar", 10, "base1"),
                o("a/2.tar", 5, "top"),
                o("b/1.tar", 10, "base2"),
                o("b/2.tar", 5, "top")));
    assertThat(a.uniqueBlobs()).isEqualTo(3);
    assertThat(a.chainVolumes()).isEqualTo(4);
    assertThat(a.chainBytes()).isEqualTo(30);
    assertThat(a.baseVolumes()).isEqualTo(2);
  }

  @Test
  void recommendationFollowsTheStatedFormula() {
    long gib = 1L << 30;
    S3Analysis.PoolRecommendation small = S3Analysis.recommend(1000, 1);
    assertThat(small.dataBytes()).isEqualTo(2 * gib);
    assertThat(small.metadataBytes()).isEqualTo(4L << 20);
    assertThat(small.formula()).hasSize(4);
    // the public bucket: 1,472,546,816 bytes of unique layers on one base
    S3Analysis.PoolRecommendation bucket = S3Analysis.recommend(1_472_546_816L, 1);
    long written = 1_472_546_816L + 1_472_546_816L / 4 + 128L * (1 << 20);
    long expected = (written + written * 3 / 10 + gib - 1) / gib * gib;
    assertThat(bucket.dataBytes()).isEqualTo(expected).isEqualTo(3 * gib);
    assertThat(bucket.lowWaterMarkBlocks()).isEqualTo(3 * gib / 65536 / 10);
    assertThat(bucket.formula().get(1)).contains(Long.toString(bucket.dataBytes()));
  }
}
