package io.thinimage.daemon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thinimage.core.api.ImageManager;
import io.thinimage.core.api.RunTypes;
import io.thinimage.core.api.StatusReport;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.TransitionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics of the service. The engine lives in core and has no metrics hook, so the
 * values are read from the store when Prometheus scrapes: run counts by type and status, pool and
 * store sizes from {@link ImageManager#status()}, and transition counters and durations from the
 * history of recently changed runs (each transition is counted once per daemon process, the first
 * time a scrape sees it).
 */
final class DaemonMetrics {
  /** How many recent runs a scrape examines. */
  private static final int WINDOW = 500;

  private final ImageManager manager;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge runs;
  private final MultiGauge active;
  private final MultiGauge retrying;
  private final Counter bytesDownloaded;

  /** The version of each run whose transitions were counted, to read only changed histories. */
  private final Map<String, Long> seenVersion = new HashMap<>();

  private final Map<String, Integer> seenSeq = new HashMap<>();
  private final Set<String> finishedCounted = new HashSet<>();
  private volatile StatusReport last;

  DaemonMetrics(ImageManager manager, List<MeterBinder> more) {
    this.manager = manager;
    more.forEach(b -> b.bindTo(registry));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    runs =
        MultiGauge.builder("thinimage.runs")
            .description("Recent runs (last " + WINDOW + ") by state machine type and status")
            .register(registry);
    active =
        MultiGauge.builder("thinimage.queue.depth")
            .description("Unfinished runs by state machine type (running or waiting their turn)")
            .register(registry);
    retrying =
        MultiGauge.builder("thinimage.runs.retrying")
            .description("Unfinished runs waiting out a retry backoff after a failed step")
            .register(registry);
    bytesDownloaded =
        Counter.builder("thinimage.downloaded.bytes")
            .description("Layer bytes transferred by finished image pipelines")
            .baseUnit("bytes")
            .register(registry);
    gauge("thinimage.pool.data.used.bytes", "Pool data in use", s -> s.pool().dataUsedBytes());
    gauge("thinimage.pool.data.total.bytes", "Pool data size", s -> s.pool().dataTotalBytes());
    gauge(
        "thinimage.pool.metadata.used.bytes",
        "Pool metadata in use",
        s -> s.pool().metadataUsedBytes());
    gauge(
        "thinimage.pool.metadata.total.bytes",
        "Pool metadata size",
        s -> s.pool().metadataTotalBytes());
    gauge(
        "thinimage.pool.accepts.allocations",
        "1 when the pool accepts new volumes",
        s -> s.pool().acceptsAllocations() ? 1 : 0);
    gauge("thinimage.store.size.bytes", "SQLite main file size", s -> s.store().sizeBytes());
    gauge("thinimage.store.wal.bytes", "SQLite WAL size", s -> s.store().walSizeBytes());
    gauge("thinimage.images", "Images known", s -> s.counts().images());
    gauge("thinimage.images.ready", "Images ready", s -> s.counts().readyImages());
    gauge(
        "thinimage.activations.active", "Activations active", s -> s.counts().activeActivations());
    gauge(
        "thinimage.host.unsafe",
        "1 when a health check says unsafe",
        s -> s.health().unsafe() ? 1 : 0);
  }

  private void gauge(String name, String help, ToDoubleFunction<StatusReport> f) {
    Gauge.builder(name, this, m -> m.last == null ? Double.NaN : f.applyAsDouble(m.last))
        .description(help)
        .register(registry);
  }

  /** Reads the store and returns the Prometheus text exposition. */
  synchronized String scrape() {
    refresh();
    return registry.scrape();
  }

  /** The registry, for binders the host application adds. */
  PrometheusMeterRegistry registry() {
    return registry;
  }

  private void refresh() {
    last = manager.status();
    List<Run> window = manager.recentRuns(WINDOW);
    Map<List<String>, Integer> byTypeStatus = new TreeMap<>(DaemonMetrics::compareKeys);
    Map<String, Integer> activeByType = new TreeMap<>();
    Map<String, Integer> retryingByType = new TreeMap<>();
    for (Run r : window) {
      byTypeStatus.merge(List.of(r.type(), r.status().name()), 1, Integer::sum);
      if (r.status().isActive()) {
        activeByType.merge(r.type(), 1, Integer::sum);
        if (r.notBefore() != null && r.errorCode() != null) {
          retryingByType.merge(r.type(), 1, Integer::sum);
        }
      }
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    byTypeStatus.forEach(
        (k, n) -> rows.add(MultiGauge.Row.of(Tags.of("type", k.get(0), "status", k.get(1)), n)));
    runs.register(rows, true);
    List<MultiGauge.Row<?>> depth = new ArrayList<>();
    activeByType.forEach((t, n) -> depth.add(MultiGauge.Row.of(Tags.of("type", t), n)));
    active.register(depth, true);
    List<MultiGauge.Row<?>> waits = new ArrayList<>();
    retryingByType.forEach((t, n) -> waits.add(MultiGauge.Row.of(Tags.of("type", t), n)));
    retrying.register(waits, true);
    countTransitions(window);
  }

  private void countTransitions(List<Run> window) {
    Set<String> inWindow = new HashSet<>();
    for (Run r : window) {
      inWindow.add(r.id());
      Long seen = seenVersion.get(r.id());
      if (seen != null && seen == r.version()) {
        continue;
      }
      int after = seenSeq.getOrDefault(r.id(), -1);
      int max = after;
      for (TransitionRecord t : manager.history(r.id())) {
        if (t.seq() <= after) {
          continue;
        }
        Tags tags =
            Tags.of(
                "fsm", r.type(),
                "state", t.fromState(),
                "event", t.event(),
                "outcome", t.errorCode() == null ? "ok" : "error");
        Counter.builder("thinimage.transitions")
            .description("State machine transitions recorded in the store")
            .tags(tags)
            .register(registry)
            .increment();
        Timer.builder("thinimage.transition.duration")
            .description("Time spent in the state a transition left")
            .tags(tags)
            .register(registry)
            .record(Duration.ofMillis(Math.max(0, t.durationMillis())));
        max = Math.max(max, t.seq());
      }
      seenSeq.put(r.id(), max);
      seenVersion.put(r.id(), r.version());
      if (!r.status().isActive()
          && RunTypes.IMAGE.equals(r.type())
          && finishedCounted.add(r.id())) {
        bytesDownloaded.increment((double) parseLong(r.attributes().get("bytes")));
      }
    }
    // Forget runs that left the window so the maps stay bounded.
    seenVersion.keySet().retainAll(inWindow);
    seenSeq.keySet().retainAll(inWindow);
    finishedCounted.retainAll(inWindow);
  }

  private static long parseLong(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }
}
