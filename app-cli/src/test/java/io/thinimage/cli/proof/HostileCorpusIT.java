package io.thinimage.cli.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.proof.ProofCli.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The hostile corpus ({@link HostileLayers}, 53 layers) through {@code process-image} of the real
 * jar on a local store, one data dir for all: each hostile layer is refused with exit 4 and its
 * reason recorded (the few accepted by design must stay inside their volume), no file changes
 * outside the data dir (a sentinel directory next to it is compared byte for byte, and the whole
 * temp tree is listed before and after), and no volume stays behind.
 */
class HostileCorpusIT {
  @TempDir Path tmp;

  @Test
  void everyHostileLayerIsRefusedAndLeavesNothing() throws Exception {
    Path sentinel = tmp.resolve("sentinel");
    Files.createDirectories(sentinel.resolve("sub"));
    Files.writeString(sentinel.resolve("victim.txt"), "original\n", StandardCharsets.UTF_8);
    Files.writeString(sentinel.resolve("sub/keep.txt"), "keep\n", StandardCharsets.UTF_8);
    Path store = tmp.resolve("store");
    Path data = tmp.resolve("data");
    // A volume's root is <data>/pool/volumes/ti-<n>: four levels below tmp.
    Map<String, byte[]> corpus = HostileLayers.corpus(sentinel.toString(), "../../../../");
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
    List<String> names = new ArrayList<>(corpus.keySet());
    for (int i = 0; i < names.size(); i++) {
      Path layer = store.resolve("images/h" + i + "/1.tar");
      Files.createDirectories(layer.getParent());
      Files.write(layer, corpus.get(names.get(i)));
    }
    Map<String, String> before = snapshot(tmp, data);
    ProofCli cli = new ProofCli(data, store, tmp.resolve("runs"));

    List<String> wrong = new ArrayList<>();
    Map<String, String> codes = new TreeMap<>();
    long volumes = 0;
    int refused = 0;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      boolean accepted = HostileLayers.ACCEPTED_CONTAINED.contains(name);
      Result r = cli.run("process-image", "--s3-key", "images/h" + i + "/");
      String code = reason(r.err());
      codes.put(name, r.code() + " " + code);
      if (r.code() != (accepted ? 0 : 4)) {
        wrong.add(name + ": " + r);
      }
      if (r.code() == 4) {
        refused++;
      } else if (r.code() == 0) {
        volumes = DataDirInvariants.count(data, "SELECT count(*) FROM volumes");
      }
      Map<String, String> now = snapshot(tmp, data);
      if (!now.equals(before)) {
        wrong.add(names.get(i) + " changed files outside the data dir: " + diff(before, now));
        before = now;
      }
      if (DataDirInvariants.names(data.resolve("pool/volumes")).size() != volumes
          || DataDirInvariants.count(data, "SELECT count(*) FROM volumes") != volumes) {
        wrong.add(name + " left a volume behind");
      }
    }
    // The per-layer outcome (exit code and reason), for docs/RELIABILITY.md.
    System.out.println("hostile corpus outcomes: " + codes);
    assertThat(wrong).as("outcomes: %s", codes).isEmpty();
    assertThat(refused).as("hostile layers refused with exit 4").isGreaterThanOrEqualTo(40);
    assertThat(DataDirInvariants.violations(data))
        .as("only the accepted images are ready; the refused ones are failed")
        .allMatch(v -> v.startsWith("I2 image") || v.startsWith("I3 run in flight or failed"));

    // Every refused image is recorded as failed with its reason code.
    Result images = cli.run("list-images", "--output", "json");
    assertThat(images.code()).as(images.toString()).isZero();
    JsonNode list = images.json().get("images");
    assertThat(list.size()).isEqualTo(names.size());
    int failed = 0;
    for (JsonNode image : list) {
      if ("failed".equalsIgnoreCase(image.get("state").asString())) {
        failed++;
        assertThat(image.get("failureCode").asString()).as(image.toString()).startsWith("layer-");
      }
    }
    assertThat(failed).as("refused images recorded as failed with their reason").isEqualTo(refused);
    Result status = cli.run("status", "--output", "json");
    assertThat(status.code()).as(status.toString()).isZero();
    assertThat(status.json().get("recentFailures").size()).isPositive();
    assertThat(status.json().get("recentFailures").get(0).toString()).contains("layer-");
    assertThat(Files.readString(sentinel.resolve("victim.txt"), StandardCharsets.UTF_8))
        .isEqualTo("original\n");
  }

  /** The bracketed reason code of the CLI's error line, e.g. {@code layer-path-escape}. */
  private static String reason(String err) {
    int open = err.indexOf('[');
    int close = err.indexOf(']', open + 1);
    return open < 0 || close < 0 ? "?" : err.substring(open + 1, close);
  }

  /** Every path under root except the data dir, with the sha256 of each regular file. */
  private static Map<String, String> snapshot(Path root, Path data) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p :
          all.filter(p -> !p.startsWith(data) && !p.startsWith(root.resolve("runs"))).toList()) {
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          files.put(rel, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p)) {
          files.put(rel, DataDirInvariants.sha256(p));
        } else {
          files.put(rel, "dir");
        }
      }
    }
    return files;
  }

  private static String diff(Map<String, String> a, Map<String, String> b) {
    List<String> d = new ArrayList<>();
    b.forEach(
        (k, v) -> {
          if (!v.equals(a.get(k))) {
            d.add("+" + k);
          }
        });
    a.keySet().stream().filter(k -> !b.containsKey(k)).forEach(k -> d.add("-" + k));
    return d.toString();
  }
}
