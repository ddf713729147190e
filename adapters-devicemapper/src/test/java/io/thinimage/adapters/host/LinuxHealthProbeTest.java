package io.thinimage.adapters.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.core.port.BlockDevicePool.PoolStatus;
import io.thinimage.core.port.HealthProbe.Check;
import io.thinimage.core.port.HealthProbe.HealthReport;
import io.thinimage.core.port.HealthProbe.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxHealthProbeTest {
  @TempDir Path proc;

  private void write(String rel, String text) throws Exception {
    Path p = proc.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private void calmHost() throws Exception {
    write(
        "pressure/memory",
        "some avg10=0.50 avg60=0.10 avg300=0.00 total=1\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    write(
        "pressure/io",
        "some avg10=1.00 avg60=0.10 avg300=0.00 total=1\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    write(
        "meminfo",
        "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n");
    write("stat", "cpu  100 0 100 1000 10 0 0 0 0 0\ncpu0 50 0 50 500 5 0 0 0 0 0\n");
    write("1/stat", "1 (systemd) S 0 1 1 0 -1 4194560 0 0");
    write("42/stat", "42 (my (odd) name) S 1 42 42 0 -1 0 0 0");
  }

  private LinuxHealthProbe probe(Optional<PoolStatus> pool) {
    return new LinuxHealthProbe(
        proc, HealthThresholds.defaults(), () -> pool, Duration.ofSeconds(2), Duration.ofMillis(1));
  }

  private static Check named(HealthReport r, String name) {
    return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aCalmHostIsHealthy() throws Exception {
    calmHost();
    HealthReport r = probe(Optional.empty()).check();
    assertThat(r.unsafe()).isFalse();
    assertThat(named(r, "memory.psi").value()).isEqualTo("0.5");
    assertThat(named(r, "memory.available").value()).isEqualTo("50.0%");
    assertThat(named(r, "tasks.dstate").value()).isEqualTo("0");
  }

  @Test
  void memoryPressureLevelsGiveTheirVerdicts() throws Exception {
    calmHost();
    write("pressure/memory", "some avg10=15.00 avg60=1 avg300=0 total=1\n");
    assertThat(named(probe(Optional.empty()).check(), "memory.psi").verdict())
        .isEqualTo(Verdict.WARN);
    write("pressure/memory", "some avg10=55.20 avg60=1 avg300=0 total=1\n");
    HealthReport r = probe(Optional.empty()).check();
    assertThat(named(r, "memory.psi").verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(r.unsafe()).isTrue();
    assertThat(r.firstUnsafe()).contains("memory.psi=55.2");
    write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 30 kB\n");
    assertThat(named(probe(Optional.empty()).check(), "memory.available").verdict())
        .isEqualTo(Verdict.UNSAFE);
  }

  @Test
  void dStateTasksAreFoundEvenWithParenthesesAndSpacesInTheirNames() throws Exception {
    calmHost();
    write("100/stat", "100 (kworker/u8:2+dm-thin) D 2 0 0 0 -1 0");
    write("101/stat", "101 (a ) D (b) D 1 0 0");
    write("102/stat", "102 (jbd2/dm-3-8) D 2 0 0");
    write("103/stat", "103 (not stuck) D) S 1 0 0");
    HealthReport r = probe(Optional.empty()).check();
    Check d = named(r, "tasks.dstate");
    assertThat(d.value()).isEqualTo("3");
    assertThat(d.verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(d.detail()).contains("kworker/u8:2+dm-thin[100]", "a ) D (b[101]");
  }

  @Test
  void anUnreadableSourceIsUnknownNotOk() throws Exception {
    calmHost();
    Files.delete(proc.resolve("pressure/io"));
    Files.delete(proc.resolve("stat"));
    HealthReport r = probe(Optional.empty()).check();
    assertThat(named(r, "io.psi").verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(named(r, "cpu.iowait").verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.unsafe()).isFalse();
  }

  @Test
  void aFullOrReadOnlyPoolIsUnsafe() throws Exception {
    calmHost();
    var full = new PoolStatus("devicemapper", 95, 100, 10, 100, "rw", true, null);
    assertThat(named(probe(Optional.of(full)).check(), "pool.data").verdict())
        .isEqualTo(Verdict.UNSAFE);
    var ro =
        new PoolStatus(
            "devicemapper", 10, 100, 10, 100, "ro", false, "pool is read-only (needs_check)");
    HealthReport r = probe(Optional.of(ro)).check();
    assertThat(named(r, "pool.mode").verdict()).isEqualTo(Verdict.UNSAFE);
    assertThat(r.firstUnsafe()).contains("needs_check");
  }

  @Test
  void aHungSourceTimesOutAsUnknown() throws Exception {
    calmHost();
    var slow =
        new LinuxHealthProbe(
            proc,
            HealthThresholds.defaults(),
            () -> {
              try {
                Thread.sleep(5_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Optional.empty();
            },
            Duration.ofMillis(300),
            Duration.ofMillis(1));
    HealthReport r = slow.check();
    assertThat(named(r, "pool").verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void aCachedProbeAnswersFromItsLastReportWithinTheWindowOnly() throws Exception {
    calmHost();
    LinuxHealthProbe cached = probe(Optional.empty()).cachedFor(Duration.ofHours(1));
    HealthReport first = cached.check();
    write("pressure/memory", "some avg10=55.20 avg60=1 avg300=0 total=1\n");
    assertThat(cached.check()).isSameAs(first);
    assertThat(probe(Optional.empty()).check().unsafe()).isTrue();
    LinuxHealthProbe uncached = probe(Optional.empty()).cachedFor(Duration.ZERO);
    assertThat(uncached.check()).isNotSameAs(uncached.check());
  }

  @Test
  void readsTheRealProc() {
    HealthReport r =
        new LinuxHealthProbe(
                Path.of("/proc"),
                HealthThresholds.defaults(),
                Optional::empty,
                Duration.ofSeconds(5),
                Duration.ofMillis(50))
            .check();
    assertThat(r.checks())
        .extracting(Check::name)
        .contains("memory.available", "tasks.dstate", "cpu.iowait");
    assertThat(named(r, "memory.available").verdict()).isNotEqualTo(Verdict.UNKNOWN);
  }
}
