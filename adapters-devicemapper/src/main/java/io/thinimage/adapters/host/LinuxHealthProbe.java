package io.thinimage.adapters.host;

import io.thinimage.core.port.BlockDevicePool;
import io.thinimage.core.port.HealthProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link HealthProbe} that reads Linux directly — no shell, no pipelines: PSI memory and io ({@code
 * /proc/pressure/*}), {@code MemAvailable}, iowait from two {@code /proc/stat} samples, tasks in
 * uninterruptible sleep ({@code /proc/[pid]/stat}, state after the last ')' since {@code comm} may
 * hold spaces and parentheses), and the pool's own status. Every check has a timeout; a source that
 * cannot be read is UNKNOWN (shown, never passed silently). Fails closed only on measured values:
 * UNKNOWN does not block, UNSAFE does.
 */
public final class LinuxHealthProbe implements HealthProbe {
  private static final Pattern PSI_SOME =
      Pattern.compile("^some avg10=([0-9.]+)", Pattern.MULTILINE);

  private final Path proc;
  private final HealthThresholds thresholds;
  private final Supplier<Optional<BlockDevicePool.PoolStatus>> pool;
  private final Duration timeout;
  private final Duration iowaitSample;
  private final Duration cacheFor;
  private HealthReport last;
  private long lastAtNanos;

  /**
   * @param proc the proc filesystem ({@code /proc}; a fixture tree in tests)
   * @param thresholds when checks warn or block
   * @param pool the pool's status, or empty when there is no pool to check
   * @param timeout the bound on each check
   * @param iowaitSample the interval between the two {@code /proc/stat} samples
   */
  public LinuxHealthProbe(
      Path proc,
      HealthThresholds thresholds,
      Supplier<Optional<BlockDevicePool.PoolStatus>> pool,
      Duration timeout,
      Duration iowaitSample) {
    this(proc, thresholds, pool, timeout, iowaitSample, Duration.ZERO);
  }

  private LinuxHealthProbe(
      Path proc,
      HealthThresholds thresholds,
      Supplier<Optional<BlockDevicePool.PoolStatus>> pool,
      Duration timeout,
      Duration iowaitSample,
      Duration cacheFor) {
    this.cacheFor = cacheFor;
    this.proc = proc;
    this.thresholds = thresholds;
    this.pool = pool;
    this.timeout = timeout;
    this.iowaitSample = iowaitSample;
  }

  /** The probe on the real {@code /proc}, default thresholds, 2 s per check. */
  public static LinuxHealthProbe forHost(BlockDevicePool pool) {
    return forHost(pool, HealthThresholds.defaults());
  }

  /**
   * The probe of this host and {@code pool} with the given thresholds (for example {@link
   * HealthThresholds#reportOnly()} on the directory pool), answering from its last report for 1 s.
   */
  public static LinuxHealthProbe forHost(BlockDevicePool pool, HealthThresholds thresholds) {
    return new LinuxHealthProbe(
            Path.of("/proc"),
            thresholds,
            () -> Optional.of(pool.status()),
            Duration.ofSeconds(2),
            Duration.ofMillis(100))
        .cachedFor(Duration.ofSeconds(1));
  }

  /**
   * The same probe, answering from its last report for {@code window}: the engine asks before every
   * pool-mutating step, and a fresh report costs an iowait sample and a walk of every task.
   */
  public LinuxHealthProbe cachedFor(Duration window) {
    return new LinuxHealthProbe(proc, thresholds, pool, timeout, iowaitSample, window);
  }

  @Override
  public synchronized HealthReport check() {
    long now = System.nanoTime();
    if (last != null && now - lastAtNanos < cacheFor.toNanos()) {
      return last;
    }
    last = measure();
    lastAtNanos = System.nanoTime();
    return last;
  }

  private HealthReport measure() {
    List<Check> checks = new ArrayList<>();
    ExecutorService exec =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "health-probe");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Callable<List<Check>>> probes =
          List.of(
              () ->
                  List.of(psi("memory", thresholds.memoryPsiWarn(), thresholds.memoryPsiUnsafe())),
              () -> List.of(memAvailable()),
              () -> List.of(psi("io", thresholds.ioPsiWarn(), thresholds.ioPsiUnsafe())),
              () -> List.of(iowait()),
              () -> List.of(dstate()),
              this::poolChecks);
      List<String> names =
          List.of("memory.psi", "memory.available", "io.psi", "cpu.iowait", "tasks.dstate", "pool");
      List<Future<List<Check>>> futures = new ArrayList<>();
      for (Callable<List<Check>> p : probes) {
        futures.add(exec.submit(p));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      for (int i = 0; i < futures.size(); i++) {
        try {
          long left = Math.max(0, deadline - System.nanoTime());
          checks.addAll(futures.get(i).get(left, TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
          futures.get(i).cancel(true);
          checks.add(unknown(names.get(i), "no answer within " + timeout.toMillis() + " ms"));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          checks.add(unknown(names.get(i), "interrupted"));
        } catch (java.util.concurrent.ExecutionException e) {
          checks.add(unknown(names.get(i), String.valueOf(e.getCause())));
        }
      }
    } finally {
      exec.shutdownNow();
    }
    return new HealthReport(checks);
  }

  private static Check unknown(String name, String why) {
    return new Check(name, "?", Verdict.UNKNOWN, why);
  }

  private static Verdict above(double value, double warn, double unsafe) {
    return value >= unsafe ? Verdict.UNSAFE : value >= warn ? Verdict.WARN : Verdict.OK;
  }

  private Check psi(String resource, double warn, double unsafe) {
    String name = resource + ".psi";
    Optional<String> text = read(proc.resolve("pressure").resolve(resource));
    if (text.isEmpty()) {
      return unknown(name, "cannot read " + proc.resolve("pressure").resolve(resource));
    }
    Matcher m = PSI_SOME.matcher(text.get());
    if (!m.find()) {
      return unknown(name, "no 'some avg10=' line");
    }
    double v = Double.parseDouble(m.group(1));
    return new Check(
        name,
        fmt(v),
        above(v, warn, unsafe),
        "some avg10 (%); warn " + fmt(warn) + ", unsafe " + fmt(unsafe));
  }

  private Check memAvailable() {
    String name = "memory.available";
    Optional<String> text = read(proc.resolve("meminfo"));
    if (text.isEmpty()) {
      return unknown(name, "cannot read meminfo");
    }
    long total = meminfoKb(text.get(), "MemTotal");
    long avail = meminfoKb(text.get(), "MemAvailable");
    if (total <= 0 || avail < 0) {
      return unknown(name, "MemTotal/MemAvailable missing");
    }
    double pct = 100.0 * avail / total;
    Verdict v =
        pct < thresholds.memAvailableUnsafePercent()
            ? Verdict.UNSAFE
            : pct < thresholds.memAvailableWarnPercent() ? Verdict.WARN : Verdict.OK;
    return new Check(
        name, fmt(pct) + "%", v, (avail / 1024) + " MiB of " + (total / 1024) + " MiB");
  }

  private static long meminfoKb(String text, String key) {
    for (String line : text.split("\n")) {
      if (line.startsWith(key + ":")) {
        String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return -1;
  }

  private Check iowait() throws InterruptedException {
    String name = "cpu.iowait";
    Optional<long[]> first = cpuTicks();
    if (first.isEmpty()) {
      return unknown(name, "cannot read stat");
    }
    Thread.sleep(iowaitSample.toMillis());
    Optional<long[]> second = cpuTicks();
    if (second.isEmpty()) {
      return unknown(name, "cannot read stat");
    }
    long total = second.get()[0] - first.get()[0];
    long io = second.get()[1] - first.get()[1];
    if (total <= 0) {
      return new Check(name, "0%", Verdict.OK, "no CPU time elapsed in the sample");
    }
    double pct = 100.0 * io / total;
    return new Check(
        name,
        fmt(pct) + "%",
        above(pct, thresholds.iowaitWarnPercent(), thresholds.iowaitUnsafePercent()),
        "share of CPU time over " + iowaitSample.toMillis() + " ms");
  }

  /** {total, iowait} ticks from the aggregate cpu line. */
  private Optional<long[]> cpuTicks() {
    Optional<String> text = read(proc.resolve("stat"));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    for (String line : text.get().split("\n")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
          total += Long.parseLong(f[i]);
        }
        return Optional.of(new long[] {total, f.length > 5 ? Long.parseLong(f[5]) : 0});
      }
    }
    return Optional.empty();
  }

  private Check dstate() {
    String name = "tasks.dstate";
    List<String> stuck = new ArrayList<>();
    try (DirectoryStream<Path> pids =
        Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("[0-9]+"))) {
      for (Path pid : pids) {
        Optional<String> stat = read(pid.resolve("stat"));
        if (stat.isEmpty()) {
          continue; // the task ended between listing and reading
        }
        String s = stat.get();
        int open = s.indexOf('(');
        int close = s.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= s.length()) {
          continue;
        }
        char state = s.charAt(close + 2);
        if (state == 'D') {
          stuck.add(s.substring(open + 1, close) + "[" + pid.getFileName() + "]");
        }
      }
    } catch (IOException e) {
      return unknown(name, "cannot list " + proc);
    }
    Verdict v =
        stuck.size() >= thresholds.dstateUnsafe()
            ? Verdict.UNSAFE
            : stuck.size() >= thresholds.dstateWarn() ? Verdict.WARN : Verdict.OK;
    return new Check(
        name,
        Integer.toString(stuck.size()),
        v,
        stuck.isEmpty()
            ? "none in uninterruptible sleep"
            : String.join(", ", stuck.subList(0, Math.min(5, stuck.size()))));
  }

  private List<Check> poolChecks() {
    Optional<BlockDevicePool.PoolStatus> status;
    try {
      status = pool.get();
    } catch (RuntimeException e) {
      return List.of(
          new Check("pool", "?", Verdict.UNSAFE, "pool status unreadable: " + e.getMessage()));
    }
    if (status.isEmpty()) {
      return List.of();
    }
    BlockDevicePool.PoolStatus p = status.get();
    List<Check> out = new ArrayList<>();
    out.add(
        new Check(
            "pool.mode",
            p.mode(),
            p.acceptsAllocations() ? Verdict.OK : Verdict.UNSAFE,
            p.acceptsAllocations() ? "accepts allocations" : String.valueOf(p.refusalReason())));
    out.add(usage("pool.data", p.dataUsedBytes(), p.dataTotalBytes()));
    if (p.metadataTotalBytes() > 0) {
      out.add(usage("pool.metadata", p.metadataUsedBytes(), p.metadataTotalBytes()));
    }
    return out;
  }

  private Check usage(String name, long used, long total) {
    if (total <= 0 || used < 0) {
      return unknown(name, "size not reported by the driver");
    }
    double pct = 100.0 * used / total;
    return new Check(
        name,
        fmt(pct) + "%",
        above(pct, thresholds.poolWarnPercent(), thresholds.poolUnsafePercent()),
        (used >> 20) + " MiB of " + (total >> 20) + " MiB");
  }

  private static Optional<String> read(Path p) {
    try {
      return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
