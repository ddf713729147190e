package io.thinimage.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.cli.e2e.CliProcess.Result;
import io.thinimage.cli.support.Samples;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code thinimage gc} as a child process over real SQLite, the directory pool and a {@code
 * file://} store: one processed image, then leftovers of every kind the directory pool can have,
 * made by hand in the data dir as crashes and operators leave them. The dry run lists exactly them,
 * {@code --force} removes exactly them (every other file of the data dir is unchanged, byte for
 * byte), and a second dry run finds nothing.
 */
class GcDirectoryPoolIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path tmp;
  Path samples;
  Path store;
  Path data;

  @BeforeEach
  void store() throws IOException {
    samples = Samples.root();
    store = tmp.resolve("store");
    Samples.copyTo(store);
    data = tmp.resolve("data");
  }

  Result cli(String... args) throws Exception {
    return CliProcess.onDirectoryPool(data, store, Map.of(), args);
  }

  JsonNode json(String... args) throws Exception {
    Result r = cli(args);
    assertThat(r.code()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void dryRunListsEveryLeftoverForceRemovesExactlyThemAndNothingElse() throws Exception {
    Path volumes = data.resolve("pool/volumes");
    Path blobs = data.resolve("blobs").toAbsolutePath();

    // the image that must survive, and its snapshot
    JsonNode web = json("process-image", "--s3-key", "images/web/", "-o", "json");
    String webId = web.get("image").get("id").asString();
    String webSnapshot = web.get("activation").get("id").asString();
    Path webRoot = Path.of(web.get("activation").get("devicePath").asString());
    Set<String> webVolumes = names(volumes);

    // an image that shares web's two base layers, then goes away: its top chain volume and its top
    // blob are referenced by nothing
    JsonNode worker = json("process-image", "--s3-key", "images/worker/", "-o", "json");
    String workerId = worker.get("image").get("id").asString();
    json("deactivate", worker.get("activation").get("id").asString(), "-o", "json");
    json("delete", workerId, "-o", "json");
    Set<String> unreferencedChain = names(volumes);
    unreferencedChain.removeAll(webVolumes);
    assertThat(unreferencedChain).hasSize(1);

    // a second snapshot of web whose volume then vanishes: a record without its volume
    JsonNode second = json("activate", webId, "-o", "json");
    String lostVolume = "ti-" + second.get("thinId").asLong();
    assertThat(Path.of(second.get("devicePath").asString())).isEqualTo(volumes.resolve(lostVolume));

    Result clean = cli("gc", "--dry-run", "-o", "json");
    assertThat(JSON.readTree(clean.out()).get("findings"))
        .as("before the seeding, only what delete left")
        .extracting(f -> f.get("kind").asString())
        .containsExactlyInAnyOrder("unreferenced-volume", "unreferenced-blob");

    // ---- the leftovers, by hand ----
    deleteTree(volumes.resolve(lostVolume));
    Path orphan = volumes.resolve("ti-4242");
    Files.createDirectories(orphan.resolve("etc"));
    Files.writeString(orphan.resolve("etc/hostname"), "left behind\n");
    Path partial = blobs.resolve("partial/run-0000000000dead");
    Files.writeString(partial, "half a layer");
    byte[] strayBytes = "a blob nobody recorded\n".getBytes(StandardCharsets.UTF_8);
    Path strayBlob = blobs.resolve("sha256/" + sha256(strayBytes));
    Files.write(strayBlob, strayBytes);
    Path corrupt = blobs.resolve("sha256/" + sha256(samples.resolve("images/web/3.tar")));
    byte[] bytes = Files.readAllBytes(corrupt);
    bytes[bytes.length / 2] ^= 0x20;
    Files.write(corrupt, bytes);
    Path unreferencedBlob =
        blobs.resolve("sha256/" + sha256(samples.resolve("images/worker/3.tar")));
    assertThat(unreferencedBlob).exists();
    // what a process killed inside the pool leaves: a volume moved aside, a half snapshot copy
    Path aside = data.resolve("pool/tmp/ti-99.deleting");
    Files.createDirectories(aside.resolve("usr/lib"));
    Files.writeString(aside.resolve("usr/lib/libc.so"), "half deleted");
    Path halfCopy = data.resolve("pool/tmp/ti-98");
    Files.createDirectories(halfCopy.resolve("etc"));
    Files.writeString(halfCopy.resolve("etc/os-release"), "half copied");
    // stray bytes that are not ours: never listed, never touched
    Files.writeString(volumes.resolve("README"), "operator's note\n");
    Files.createDirectories(volumes.resolve("ti-007"));
    Files.createDirectories(volumes.resolve("scratch"));

    Map<String, String> expected = new TreeMap<>();
    expected.put("orphan-volume " + "ti-4242", "delete volume");
    expected.put("record-without-volume " + lostVolume, "forget record");
    expected.put(
        "unreferenced-volume " + unreferencedChain.iterator().next(), "delete volume and record");
    expected.put("stray-partial " + partial, "delete file");
    expected.put(
        "corrupt-blob " + corrupt, "delete file and record (it is downloaded again when needed)");
    expected.put("unreferenced-blob " + unreferencedBlob, "delete file and record");
    expected.put("blob-without-record " + strayBlob, "delete file");
    expected.put("pool-debris " + aside, "delete files");
    expected.put("pool-debris " + halfCopy, "delete files");

    Map<String, String> before = fingerprint();
    JsonNode dry = json("gc", "--output", "json");
    assertThat(dry.get("applied").asBoolean()).isFalse();
    assertThat(dry.get("count").asInt()).isEqualTo(expected.size());
    assertThat(actions(dry)).isEqualTo(expected);
    assertThat(fingerprint()).as("a dry run changes no file").isEqualTo(before);
    Result text = cli("gc");
    assertThat(text.code()).as(text.toString()).isZero();
    assertThat(text.out())
        .startsWith("KIND")
        .contains("orphan-volume", "ti-4242", "9 leftovers; run gc --force to act on them.");

    JsonNode forced = json("gc", "--force", "--output", "json");
    assertThat(forced.get("applied").asBoolean()).isTrue();
    // Every mutating command reconciles on start, and reconcile already removes partial downloads
    // no run owns; gc then reports the others. The file is gone either way (checked below).
    Map<String, String> forcedExpected = new TreeMap<>(expected);
    forcedExpected.remove("stray-partial " + partial);
    assertThat(actions(forced)).isEqualTo(forcedExpected);

    // exactly the leftovers are gone; every other file and directory is as it was
    Map<String, String> after = fingerprint();
    Map<String, String> removed = new TreeMap<>(before);
    removed.keySet().removeAll(after.keySet());
    assertThat(after).isEqualTo(without(before, removed.keySet()));
    Set<String> removedRoots = new TreeSet<>();
    for (String p : removed.keySet()) {
      removedRoots.add(topOf(p));
    }
    assertThat(removedRoots)
        .containsExactlyInAnyOrder(
            rel(orphan),
            rel(volumes.resolve(unreferencedChain.iterator().next())),
            rel(partial),
            rel(strayBlob),
            rel(corrupt),
            rel(unreferencedBlob),
            rel(aside),
            rel(halfCopy));

    JsonNode again = json("gc", "--dry-run", "--output", "json");
    assertThat(again.get("findings")).as(again.toString()).isEmpty();
    assertThat(again.get("count").asInt()).isZero();
    Result nothing = cli("gc");
    assertThat(nothing.out()).isEqualTo("Nothing to collect.\n");

    // the processed image, its snapshot and its files are intact
    JsonNode images = json("list-images", "-o", "json").get("images");
    assertThat(images).hasSize(1);
    assertThat(images.get(0).get("id").asString()).isEqualTo(webId);
    assertThat(images.get(0).get("state").asString()).isEqualTo("ready");
    JsonNode snaps = json("list-snapshots", "-o", "json").get("snapshots");
    assertThat(snaps).hasSize(1);
    assertThat(snaps.get(0).get("id").asString()).isEqualTo(webSnapshot);
    assertThat(snaps.get(0).get("devicePath").asString()).isEqualTo(webRoot.toString());
    assertThat(webRoot.resolve("home/www/public/index.html"))
        .hasContent("<h1>hello from the web sample</h1>");
    // the forgotten snapshot is history, no longer live
    JsonNode all = json("list-snapshots", "--all", "-o", "json").get("snapshots");
    assertThat(all)
        .filteredOn(s -> s.get("id").asString().equals(second.get("id").asString()))
        .singleElement()
        .satisfies(s -> assertThat(s.get("active").asBoolean()).isFalse());

    // the store counts what is left: web's two base blobs (its top one was corrupt), 3 chains
    JsonNode counts = json("status", "-o", "json").get("counts");
    assertThat(counts.get("blobs").asLong()).isEqualTo(2);
    assertThat(counts.get("chainVolumes").asLong()).isEqualTo(3);
    assertThat(counts.get("activeActivations").asLong()).isEqualTo(1);
  }

  @Test
  void dryRunAndForceConflictIsAUsageError() throws Exception {
    Result both = cli("gc", "--dry-run", "--force");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err().lines()).hasSize(1);
    Result empty = cli("gc", "--force");
    assertThat(empty.code()).as(empty.toString()).isZero();
    assertThat(empty.out()).isEqualTo("Nothing to collect.\n");
  }

  private static Map<String, String> actions(JsonNode report) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode f : report.get("findings")) {
      String key = f.get("kind").asString() + " " + f.get("object").asString();
      assertThat(out.put(key, f.get("action").asString())).as("listed twice: " + key).isNull();
    }
    return out;
  }

  /** Every file (with its content hash) and directory of the data dir but the database and log. */
  private Map<String, String> fingerprint() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(data)) {
      for (Path p : all.toList()) {
        String r = rel(p);
        if (r.isEmpty() || r.startsWith("thinimage.") || r.startsWith("logs")) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          out.put(r, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(r, "dir");
        } else {
          out.put(r, sha256(p));
        }
      }
    }
    return out;
  }

  private String rel(Path p) {
    return data.toAbsolutePath().relativize(p.toAbsolutePath()).toString();
  }

  /**
   * A removed path's top: {@code pool/volumes/ti-5} (or {@code pool/tmp/ti-5}) for anything under
   * it, the file itself else.
   */
  private static String topOf(String rel) {
    String[] parts = rel.split("/");
    if (parts.length > 3
        && parts[0].equals("pool")
        && (parts[1].equals("volumes") || parts[1].equals("tmp"))) {
      return String.join("/", parts[0], parts[1], parts[2]);
    }
    return rel;
  }

  private static Map<String, String> without(Map<String, String> m, Set<String> keys) {
    Map<String, String> out = new HashMap<>(m);
    out.keySet().removeAll(keys);
    return new TreeMap<>(out);
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return sha256(in.readAllBytes());
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
