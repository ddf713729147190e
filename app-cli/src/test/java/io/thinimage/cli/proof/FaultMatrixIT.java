package io.thinimage.cli.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thinimage.cli.proof.ProofCli.Result;
import io.thinimage.cli.support.LoopbackS3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault matrix of docs/RELIABILITY.md, end to end on the real jar: each fault is induced for
 * real (an outside {@code sqlite3} holding the database, bytes written over it, a loop-mounted ext4
 * that runs out of space, an S3 server that goes away) and must end in its documented exit code
 * with one error line and no stack trace, lose nothing, leave no partial file or orphan volume, and
 * let the same command complete once the fault is gone.
 */
class FaultMatrixIT {
  /** Lets a run give up on an unsafe pool at once instead of after the default two minutes. */
  private static final Map<String, String> ENV = Map.of("THINIMAGE_UNSAFE_WAIT", "1s");

  private static final int BIG_LAYER_BYTES = 12_000_000;

  @TempDir static Path jarDir;
  static Path jar;

  @TempDir Path tmp;

  @BeforeAll
  static void copyJar() throws IOException {
    jar = ProofCli.privateJar(jarDir);
  }

  private ProofCli local(Path data, Path store) {
    return new ProofCli(
        jar,
        data,
        List.of("--store", store.toUri().toString(), "--pool-driver", "directory"),
        ENV,
        tmp.resolve("runs"));
  }

  private Path samples() throws IOException {
    Path store = tmp.resolve("store");
    ProofCli.copySamples(store);
    return store;
  }

  // ---- 3. the database locked by an outside process ----

  @Test
  void databaseLockedByAnOutsideSqlite3() throws Exception {
    assumeTrue(OutsideSqliteLock.available(), "sqlite3 shell not installed");
    ProofCli cli = local(tmp.resolve("data"), samples());
    ok(cli.run("process-image", "--s3-key", "images/web/"));

    try (OutsideSqliteLock lock = OutsideSqliteLock.hold(cli.db())) {
      Result r = cli.run("process-image", "--s3-key", "images/worker/");
      assertOneLineError(r, 6, "transient [store-busy]");
      assertThat(r.err()).contains("database is locked", cli.db().toString());
      // readers are not blocked by a writer's lock in WAL mode
      Result list = ok(cli.run("list-images"));
      assertThat(list.out()).contains("images/web/").doesNotContain("images/worker/");
    }

    ok(cli.run("process-image", "--s3-key", "images/worker/"));
    assertThat(DataDirInvariants.violations(cli.data())).isEmpty();
    assertThat(DataDirInvariants.count(cli.data(), "SELECT count(*) FROM images")).isEqualTo(2);
  }

  // ---- 4. a corrupt database ----

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "truncated", "bad-header", "garbage-pages"})
  void corruptDatabaseIsRefusedAndKeptForForensics(String damage) throws Exception {
    ProofCli cli = local(tmp.resolve("data"), samples());
    ok(cli.run("process-image", "--s3-key", "images/web/"));
    Path backup = tmp.resolve("backup.db");
    ok(cli.run("backup", "--to", backup.toString()));

    corrupt(cli.db(), damage);
    String before = DataDirInvariants.sha256(cli.db());
    long size = Files.size(cli.db());
    for (String[] cmd :
        List.of(
            new String[] {"process-image", "--s3-key", "images/worker/"},
            new String[] {"list-images"},
            new String[] {"status"},
            new String[] {"gc", "--dry-run"})) {
      Result r = cli.run(cmd);
      assertOneLineError(r, 4, "invalid-input [store-corrupt]");
      assertThat(r.err()).contains(cli.db().toString(), "left untouched", "thinimage backup");
      assertThat(DataDirInvariants.sha256(cli.db()))
          .as("the damaged file is kept byte for byte after %s", String.join(" ", cmd))
          .isEqualTo(before);
      assertThat(Files.size(cli.db())).isEqualTo(size);
    }

    // The documented way back: restore the backup (the damaged file's -wal/-shm go with it).
    Files.move(cli.db(), tmp.resolve("damaged.db"));
    for (String side : List.of("-wal", "-shm")) {
      Files.deleteIfExists(cli.data().resolve("thinimage.db" + side));
    }
    Files.copy(backup, cli.db(), StandardCopyOption.REPLACE_EXISTING);
    assertThat(ok(cli.run("list-images")).out()).contains("images/web/");
    ok(cli.run("process-image", "--s3-key", "images/worker/"));
    assertThat(DataDirInvariants.violations(cli.data())).isEmpty();
  }

  private static void corrupt(Path db, String damage) throws IOException {
    Random random = new Random(damage.hashCode());
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      switch (damage) {
        case "garbage" -> {
          byte[] junk = new byte[(int) f.length()];
          random.nextBytes(junk);
          f.seek(0);
          f.write(junk);
        }
        case "truncated" -> f.setLength(f.length() / 3 + 1000);
        case "bad-header" -> {
          f.seek(0);
          f.write("NOT A DATABASE!\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        case "garbage-pages" -> {
          // a valid header, then pages of noise: found only when SQLite reads them
          byte[] junk = new byte[(int) f.length() - 8192];
          random.nextBytes(junk);
          f.seek(8192);
          f.write(junk);
        }
        default -> throw new IllegalArgumentException(damage);
      }
    }
  }

  // ---- 1. disk full during download ----

  @Test
  void diskFullDuringDownload() throws Exception {
    Path data = tmp.resolve("data");
    Path store = tmp.resolve("store");
    writeBigLayer(store);
    try (LoopFs blobs = LoopFs.tryMount(tmp.resolve("blobs.img"), data.resolve("blobs"), 32)) {
      assumeTrue(blobs != null, "cannot loop-mount a filesystem here (needs root)");
      blobs.fillLeaving(4L << 20);
      ProofCli cli = local(data, store);

      Result r = cli.run("process-image", "--s3-key", "images/big/");
      assertOneLineError(r, 6, "transient [partial-file-io]");
      assertThat(r.err()).contains("No space left on device");
      assertThat(DataDirInvariants.names(data.resolve("blobs/partial"))).isEmpty();
      assertThat(DataDirInvariants.names(data.resolve("blobs/sha256"))).isEmpty();
      assertThat(DataDirInvariants.violations(data))
          .as("the database is intact; only the failed image and its failed runs")
          .allMatch(v -> v.startsWith("I2 image") || isFailedRun(v));

      blobs.freeBallast();
      ok(cli.run("process-image", "--s3-key", "images/big/"));
      assertThat(DataDirInvariants.violations(data)).allMatch(FaultMatrixIT::isFailedRun);
      assertThat(DataDirInvariants.count(data, "SELECT count(*) FROM blobs")).isEqualTo(1);
      assertGcFindsNothing(cli);
    }
  }

  // ---- 2. disk full during unpack ----

  @Test
  void diskFullDuringUnpack() throws Exception {
    Path data = tmp.resolve("data");
    Path store = tmp.resolve("store");
    writeBigLayer(store);
    try (LoopFs pool = LoopFs.tryMount(tmp.resolve("pool.img"), data.resolve("pool"), 64)) {
      assumeTrue(pool != null, "cannot loop-mount a filesystem here (needs root)");
      pool.fillLeaving(6L << 20);
      ProofCli cli = local(data, store);

      // The write fails with ENOSPC (a transient layer-io-error, retried); the retry finds the
      // pool's filesystem full and the run waits for it, then exits 5 and stays resumable.
      Result r = cli.run("process-image", "--s3-key", "images/big/");
      assertOneLineError(r, 5, "unsafe [unsafe-system]");
      assertThat(r.err()).contains("pool-data-low");
      assertThat(DataDirInvariants.names(data.resolve("blobs/partial"))).isEmpty();
      assertThat(DataDirInvariants.count(data, "SELECT count(*) FROM blobs")).isEqualTo(1);
      assertThat(DataDirInvariants.violations(data))
          .as("the half-applied volume belongs to the run in flight, nothing else is off")
          .allMatch(
              v ->
                  v.startsWith("I2 image")
                      || v.startsWith("I3 run in flight")
                      || v.matches("I4 volume \\d+ is CREATED"))
          .anyMatch(v -> v.contains("unpack") && v.contains("ACTIVE"));
      assertGcFindsNothing(cli);

      pool.freeBallast();
      ok(cli.run("process-image", "--s3-key", "images/big/"));
      assertThat(DataDirInvariants.violations(data)).isEmpty();
      assertThat(DataDirInvariants.count(data, "SELECT count(*) FROM volumes")).isEqualTo(2);
      assertGcFindsNothing(cli);
    }
  }

  /** One layer of {@value #BIG_LAYER_BYTES} incompressible bytes at {@code images/big/1.tar}. */
  private static void writeBigLayer(Path store) throws IOException {
    byte[] body = new byte[BIG_LAYER_BYTES];
    new Random(1).nextBytes(body);
    ByteArrayOutputStream tar = new ByteArrayOutputStream(BIG_LAYER_BYTES + 4096);
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
      TarArchiveEntry e = new TarArchiveEntry("big.bin");
      e.setSize(body.length);
      e.setMode(0644);
      out.putArchiveEntry(e);
      out.write(body);
      out.closeArchiveEntry();
    }
    Path layer = store.resolve("images/big/1.tar");
    Files.createDirectories(layer.getParent());
    Files.write(layer, tar.toByteArray());
  }

  // ---- 5. the S3 server goes away ----

  @Test
  void s3ServerDownThenBack() throws Exception {
    LoopbackS3 s3 = LoopbackS3.start(tmp.resolve("s3"), 0);
    int port = s3.port();
    try {
      s3.uploadSamples("samples");
      List<String> options = new ArrayList<>(s3.cliOptions("samples"));
      options.addAll(List.of("--pool-driver", "directory"));
      ProofCli cli = new ProofCli(jar, tmp.resolve("data"), options, ENV, tmp.resolve("runs"));
      ok(cli.run("process-image", "--s3-key", "images/web/"));

      s3.close();
      Result down = cli.run("process-image", "--s3-key", "images/worker/");
      assertOneLineError(down, 6, "transient [");
      assertThat(DataDirInvariants.names(cli.data().resolve("blobs/partial"))).isEmpty();

      s3 = LoopbackS3.start(s3.base(), port);
      ok(cli.run("process-image", "--s3-key", "images/worker/"));
      assertThat(DataDirInvariants.violations(cli.data())).allMatch(FaultMatrixIT::isFailedRun);
      // web and worker share their two lower layers: four blobs, each stored once
      assertThat(DataDirInvariants.count(cli.data(), "SELECT count(*) FROM blobs")).isEqualTo(4);
      assertThat(DataDirInvariants.names(cli.data().resolve("blobs/sha256"))).hasSize(4);
      assertGcFindsNothing(cli);
    } finally {
      s3.close();
    }
  }

  // ---- shared checks ----

  private static Result ok(Result r) {
    assertThat(r.code()).as(r.toString()).isZero();
    return r;
  }

  /** Exit code, exactly one stderr line starting with {@code thinimage: <prefix>}, no trace. */
  static void assertOneLineError(Result r, int exit, String prefix) {
    assertThat(r.code()).as(r.toString()).isEqualTo(exit);
    String err = r.err().strip();
    assertThat(err.lines()).as(r.toString()).hasSize(1);
    assertThat(err).as(r.toString()).startsWith("thinimage: " + prefix).contains("; hint: ");
    assertThat(err).doesNotContain("\tat ", "Exception in thread");
    assertThat(r.out()).as("nothing on stdout for a failure").isEmpty();
  }

  private static boolean isFailedRun(String violation) {
    return violation.startsWith("I3 run in flight or failed") && violation.endsWith(" FAILED");
  }

  private static void assertGcFindsNothing(ProofCli cli) throws Exception {
    Result gc = ok(cli.run("gc", "--dry-run", "--output", "json"));
    assertThat(gc.json().get("count").asInt()).as(gc.out()).isZero();
  }
}
