package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.domain.VolumeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test of speed: the activation path (thin snapshot of a volume + activate)
 * through the adapter against the bare dmsetup sequence a shell script would run, interleaved in
 * one run on one pool. Records medians to {@code -Dthinimage.bench.out} and stdout; asserts only
 * that both paths produced live devices.
 */
class ActivationLatencyVmIT {
  private static final long SIZE = 128L << 20;
  private static final int WARMUP = 2;
  private static final int RUNS = 8;

  @TempDir Path dir;

  @Test
  void adapterVersusRawDmsetup() throws IOException {
    VmPool.assumeDeviceMapper();
    try (VmPool vm = new VmPool(dir)) {
      DevicemapperPool pool = vm.pool();
      VolumeSpec origin = VolumeSpec.of(1, SIZE);
      pool.createVolume(origin);
      VolumeSpec active = VolumeSpec.of(2, SIZE);
      pool.createVolume(active);
      pool.deactivate(origin); // case A: origin inactive (a finished chain volume)
      String poolDev = "/dev/mapper/" + vm.name;
      long next = 100;
      List<String> report = new ArrayList<>();
      for (boolean originActive : new boolean[] {false, true}) {
        VolumeSpec o = originActive ? active : origin;
        long[] adapter = new long[RUNS];
        long[] raw = new long[RUNS];
        long[] gated = new long[RUNS];
        for (int i = -WARMUP; i < RUNS; i++) {
          VolumeSpec snap = VolumeSpec.of(next++, SIZE);
          long t0 = System.nanoTime();
          pool.createSnapshot(o, snap);
          String dev = pool.activate(snap);
          long t1 = System.nanoTime();
          assertThat(Files.exists(Path.of(dev))).isTrue();

          long id = next++;
          String name = vm.name + "-ti-" + id;
          long t2 = System.nanoTime();
          if (originActive) {
            check(vm.sh("dmsetup", "suspend", pool.deviceName(o)));
          }
          check(vm.sh("dmsetup", "message", vm.name, "0", "create_snap " + id + " " + o.thinId()));
          if (originActive) {
            check(vm.sh("dmsetup", "resume", pool.deviceName(o)));
          }
          check(
              vm.sh(
                  "dmsetup",
                  "create",
                  "--verifyudev",
                  name,
                  "--table",
                  Dmsetup.thinTable(SIZE / 512, poolDev, id)));
          long t3 = System.nanoTime();
          assertThat(Files.exists(Path.of("/dev/mapper/" + name))).isTrue();

          // the same bare sequence preceded by the pool-health read a careful script does
          long gid = next++;
          long t4 = System.nanoTime();
          check(vm.sh("dmsetup", "status"));
          if (originActive) {
            check(vm.sh("dmsetup", "suspend", pool.deviceName(o)));
          }
          check(vm.sh("dmsetup", "message", vm.name, "0", "create_snap " + gid + " " + o.thinId()));
          if (originActive) {
            check(vm.sh("dmsetup", "resume", pool.deviceName(o)));
          }
          check(
              vm.sh(
                  "dmsetup",
                  "create",
                  "--verifyudev",
                  vm.name + "-ti-" + gid,
                  "--table",
                  Dmsetup.thinTable(SIZE / 512, poolDev, gid)));
          long t5 = System.nanoTime();
          if (i >= 0) {
            adapter[i] = t1 - t0;
            raw[i] = t3 - t2;
            gated[i] = t5 - t4;
          }
        }
        double a = medianMillis(adapter);
        double r = medianMillis(raw);
        double g = medianMillis(gated);
        report.add(
            String.format(
                Locale.ROOT,
                "origin %-8s runs=%d adapter median %.0f ms (min %.0f) | raw dmsetup median %.0f"
                    + " ms (min %.0f) | ratio %.2f | raw with status gate median %.0f ms,"
                    + " ratio %.2f",
                originActive ? "active" : "inactive",
                RUNS,
                a,
                minMillis(adapter),
                r,
                minMillis(raw),
                a / r,
                g,
                a / g));
      }
      long c0 = System.nanoTime();
      for (int i = 0; i < RUNS; i++) {
        check(vm.sh("dmsetup", "info", vm.name));
      }
      report.add(
          String.format(
              Locale.ROOT,
              "one dmsetup process (info) mean %.0f ms",
              (System.nanoTime() - c0) / 1e6 / RUNS));
      String text = String.join("\n", report) + "\n";
      System.out.print(text);
      String out = System.getProperty("thinimage.bench.out");
      if (out != null) {
        Files.writeString(Path.of(out), text, StandardCharsets.UTF_8);
      }
    }
  }

  private static void check(CommandResult r) {
    assertThat(r.ok()).as("%s: %s", r.commandLine(), r.diagnostics()).isTrue();
  }

  private static double medianMillis(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0)
        / 1e6;
  }

  private static double minMillis(long[] nanos) {
    return Arrays.stream(nanos).min().orElse(0) / 1e6;
  }
}
