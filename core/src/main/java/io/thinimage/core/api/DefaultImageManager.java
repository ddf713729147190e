package io.thinimage.core.api;

import io.thinimage.core.blob.BlobStore;
import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.engine.FsmEngine;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.layer.LayerApplier;
import io.thinimage.core.lifecycle.ActivateFsm;
import io.thinimage.core.lifecycle.DeactivateFsm;
import io.thinimage.core.lifecycle.DownloadFsm;
import io.thinimage.core.lifecycle.ImagePipelineFsm;
import io.thinimage.core.lifecycle.LifecycleServices;
import io.thinimage.core.lifecycle.Reconciler;
import io.thinimage.core.lifecycle.UnpackFsm;
import io.thinimage.core.port.BlockDevicePool.PoolStatus;
import io.thinimage.core.port.HealthProbe;
import io.thinimage.core.port.ImageRepository;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/** The manager wired from ports: the engine, the lifecycle definitions, reconcile and resume. */
final class DefaultImageManager implements ImageManager {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(DefaultImageManager.class);
  private final ImageRepository repository;
  private final LifecycleServices services;
  private final FsmEngine engine;
  private final HealthProbe healthProbe;
  private final io.thinimage.core.port.IdSource ids;
  private final ImagePipelineFsm.Children children;
  private final io.thinimage.core.engine.FsmDefinition<
          ImagePipelineFsm.State, ImagePipelineFsm.Event>
      pipeline;
  private final io.thinimage.core.engine.FsmDefinition<DeactivateFsm.State, DeactivateFsm.Event>
      deactivate;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.ExecutorService background =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "thinimage-run");
            t.setDaemon(true);
            return t;
          });

  private DefaultImageManager(ImageManagerBuilder b) {
    this.repository = b.repository;
    this.healthProbe = b.healthProbe;
    this.ids = b.ids;
    this.services =
        new LifecycleServices(
            b.repository,
            b.objectStore,
            b.pool,
            b.rootFilesystems,
            new BlobStore(b.blobDirectory),
            new LayerApplier(b.config.layerLimits(), b.clock),
            b.clock,
            b.config);
    this.engine =
        new FsmEngine(
            b.repository,
            b.clock,
            b.ids,
            b.config.retry(),
            b.healthProbe,
            b.crashPoints,
            b.sleeper,
            b.config.unsafeWait(),
            new Random());
    this.children =
        new ImagePipelineFsm.Children(
            DownloadFsm.definition(services),
            UnpackFsm.definition(services),
            ActivateFsm.definition(services));
    this.pipeline = ImagePipelineFsm.definition(services, children);
    this.deactivate = DeactivateFsm.definition(services);
    engine.register(children.download());
    engine.register(children.unpack());
    engine.register(children.activate());
    engine.register(pipeline);
    engine.register(deactivate);
    engine.limitConcurrency(DownloadFsm.TYPE, b.config.downloadConcurrency());
    engine.limitConcurrency(UnpackFsm.TYPE, b.config.unpackConcurrency());
  }

  static ImageManager open(ImageManagerBuilder b) {
    DefaultImageManager m = new DefaultImageManager(b);
    if (b.resumeOnBuild) {
      // Reconcile before resume; a read-only user of the store (list, status) does neither, so
      // it never touches the pool or the blob directory.
      new Reconciler(m.services).reconcile();
      m.engine.resumeAll();
    }
    return m;
  }

  /** The engine, for the daemon's scheduler and for tests. Internal. */
  FsmEngine engine() {
    return engine;
  }

  @Override
  public ProcessResult process(
      ImageReference reference, ProcessOptions options, ProgressListener progress) {
    String store = services.objectStore().describe();
    String imageId = Image.idFor(store, reference);
    Run run =
        engine.run(
            pipeline,
            imageId,
            ImagePipelineFsm.attributes(
                store, reference, options.activate(), options.newActivation()),
            null,
            progress);
    return resultOf(run);
  }

  @Override
  public ProcessResult result(String runId) {
    Run run =
        findRun(runId)
            .filter(r -> r.type().equals(ImagePipelineFsm.TYPE))
            .orElseThrow(
                () -> ThinImageException.notFound("run-not-found", "no image run " + runId));
    if (run.status().isActive()) {
      throw ThinImageException.conflict(
          "run-not-finished", "run " + runId + " is still " + run.state().toLowerCase(Locale.ROOT));
    }
    return resultOf(run);
  }

  private ProcessResult resultOf(Run run) {
    if (run.status() != RunStatus.SUCCEEDED) {
      throw FsmEngine.failureOf(run);
    }
    Image image = repository.read(r -> r.findImage(run.resourceId())).orElseThrow();
    Map<String, String> a = run.attributes();
    String activationId = a.get("activationId");
    Activation activation =
        activationId == null
            ? null
            : repository.read(r -> r.findActivation(activationId)).orElse(null);
    int downloaded = Integer.parseInt(a.getOrDefault("downloaded", "0"));
    int built = Integer.parseInt(a.getOrDefault("built", "0"));
    boolean reused = "REUSED".equals(lastEvent(run.id()));
    boolean activate = Boolean.parseBoolean(a.getOrDefault("activate", "true"));
    boolean alreadyDone = downloaded == 0 && built == 0 && (reused || !activate);
    return new ProcessResult(
        image,
        activation,
        alreadyDone,
        downloaded,
        Long.parseLong(a.getOrDefault("bytes", "0")),
        built,
        run.id());
  }

  @Override
  public Run submit(ImageReference reference, ProcessOptions options) {
    String store = services.objectStore().describe();
    String imageId = Image.idFor(store, reference);
    Run run =
        engine.start(
            pipeline,
            imageId,
            ImagePipelineFsm.attributes(
                store, reference, options.activate(), options.newActivation()),
            null);
    drive(run.id());
    return run;
  }

  /** Drives a run on a background thread; failures are recorded on the run, not thrown. */
  private void drive(String runId) {
    background.execute(
        () -> {
          try {
            engine.drive(runId, ProgressListener.none());
          } catch (ThinImageException | FsmEngine.EngineStoppedException e) {
            // Recorded on the run (or parked for the next start); nothing to throw to.
          } catch (RuntimeException e) {
            // Not recorded: the run stays ACTIVE with its attempt counted, and resumes (bounded by
            // the attempt limit) on the next start. The service stays up for the other runs.
            log.atError()
                .addKeyValue("run_id", runId)
                .setCause(e)
                .log("run stopped on an unexpected error; it resumes on the next start");
          } catch (Error e) {
            log.atError().addKeyValue("run_id", runId).log("run stopped on {}", e.toString());
            throw e; // the host application's uncaught-exception handler decides what happens
          }
        });
  }

  @Override
  public void resumeInBackground() {
    background.execute(
        () -> {
          try {
            new Reconciler(services).reconcile();
            engine.resumeAll();
          } catch (FsmEngine.EngineStoppedException e) {
            // stopping: what was not resumed resumes on the next start
          } catch (RuntimeException e) {
            log.atError()
                .setCause(e)
                .log("reconcile or resume stopped on an error; unfinished runs resume next start");
          }
        });
  }

  @Override
  public Run cancel(String runId) {
    return engine.cancel(runId, "cancelled by operator");
  }

  @Override
  public Run retryNow(String runId) {
    return engine.retryNow(runId);
  }

  private String lastEvent(String runId) {
    List<TransitionRecord> h = history(runId);
    return h.isEmpty() ? "" : h.get(h.size() - 1).event();
  }

  @Override
  public List<Image> listImages() {
    return repository.read(r -> r.listImages());
  }

  @Override
  public Optional<Image> findImage(String imageId) {
    return repository.read(r -> r.findImage(imageId));
  }

  @Override
  public List<Activation> listActivations() {
    return repository.read(r -> r.listActivations());
  }

  @Override
  public Activation activate(String imageId) {
    if (findImage(imageId).isEmpty()) {
      throw ThinImageException.notFound("image-not-found", "no image " + imageId);
    }
    Run run =
        engine.run(
            children.activate(),
            // each call is a new activation: a fresh resource from the injected id source
            "manual:" + imageId + ":" + ids.newId("act"),
            Map.of("imageId", imageId),
            null,
            ProgressListener.none());
    if (run.status() != RunStatus.SUCCEEDED) {
      throw FsmEngine.failureOf(run);
    }
    return repository.read(r -> r.findActivation(run.attribute("activationId"))).orElseThrow();
  }

  @Override
  public Activation deactivate(String activationId) {
    if (repository.read(r -> r.findActivation(activationId)).isEmpty()) {
      throw ThinImageException.notFound("activation-not-found", "no activation " + activationId);
    }
    Run run = engine.run(deactivate, activationId, Map.of(), null, ProgressListener.none());
    if (run.status() != RunStatus.SUCCEEDED) {
      throw FsmEngine.failureOf(run);
    }
    return repository.read(r -> r.findActivation(activationId)).orElseThrow();
  }

  @Override
  public void deleteImage(String imageId) {
    repository.inTransaction(
        tx -> {
          io.thinimage.core.lifecycle.ImageDeletion.delete(tx, imageId);
          return null;
        });
  }

  @Override
  public GcReport gc(GcOptions options) {
    return new io.thinimage.core.lifecycle.GarbageCollector(services).collect(options);
  }

  @Override
  public StatusReport status() {
    PoolStatus pool;
    try {
      pool = services.pool().status();
    } catch (ThinImageException e) {
      pool =
          new PoolStatus(
              services.pool().driver(), -1, -1, -1, -1, "unknown", false, e.getMessage());
    }
    List<Run> recent = repository.read(r -> r.listRecentRuns(50));
    return new StatusReport(
        services.objectStore().describe(),
        repository.info(),
        repository.read(r -> r.counts()),
        pool,
        healthProbe.check(),
        repository.read(r -> r.listActiveRuns()),
        recent.stream().filter(r -> r.status() == RunStatus.FAILED).limit(10).toList());
  }

  @Override
  public List<Run> recentRuns(int limit) {
    return repository.read(r -> r.listRecentRuns(limit));
  }

  @Override
  public Optional<Run> findRun(String runId) {
    return repository.read(r -> r.findRun(runId));
  }

  @Override
  public List<TransitionRecord> history(String runId) {
    return repository.read(r -> r.listTransitions(runId));
  }

  @Override
  public void backup(Path target) {
    repository.backup(target);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.stop();
      background.shutdown();
      try {
        // Running steps finish (or park at their next boundary) before the store closes.
        if (!background.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
          background.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      repository.close();
    }
  }
}
