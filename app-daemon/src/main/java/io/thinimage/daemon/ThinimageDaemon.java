package io.thinimage.daemon;

import io.thinimage.core.api.ImageManager;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thinimage service over an already-wired {@link ImageManager}: the admin API on a Unix socket,
 * {@code /metrics} on loopback TCP, unfinished runs resumed in the background, and a graceful stop
 * on SIGTERM/SIGINT (stop accepting, park runs resumably, checkpoint and close the store, remove
 * the socket, exit 0).
 *
 * <p>The CLI's {@code daemon} command passes the manager its own wiring built (with {@code
 * resumeOnBuild(false)}) to {@link #run(DaemonOptions, ImageManager)}; {@link DaemonMain} wires a
 * minimal one for standalone use.
 */
public final class ThinimageDaemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ThinimageDaemon.class);

  private final Server server;
  private final ImageManager manager;
  private final Path socket;
  private final int metricsPort;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ThinimageDaemon(Server server, ImageManager manager, Path socket, int metricsPort) {
    this.server = server;
    this.manager = manager;
    this.socket = socket;
    this.metricsPort = metricsPort;
  }

  /**
   * Starts the service and returns while it runs: binds the socket (replacing a stale one, refusing
   * with CONFLICT {@code daemon-already-running} if a daemon answers on it), restricts it to 0600,
   * opens {@code /metrics}, then resumes unfinished runs in the background.
   *
   * @param store when present, {@code GET /v1/store} lists it for the dashboard's store view
   */
  public static ThinimageDaemon start(
      DaemonOptions options, ImageManager manager, Optional<ObjectStore> store) {
    Path socket = options.socket();
    SocketGuard.prepare(socket);
    Path staged = SocketGuard.staging(socket);
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("thinimage-admin");
    threads.setDaemon(true);
    Server server = new Server(threads);
    server.setStopTimeout(options.requestDrain().toMillis());
    server.setStopAtShutdown(false);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    UnixDomainServerConnector uds =
        new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
    uds.setUnixDomainPath(staged);
    server.addConnector(uds);
    ServerConnector tcp = null;
    if (options.metricsPort() > 0) {
      tcp = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
      tcp.setHost("127.0.0.1");
      tcp.setPort(options.metricsPort());
      server.addConnector(tcp);
    }
    DaemonMetrics metrics = new DaemonMetrics(manager, options.metricBinders());
    server.setHandler(new HttpAdapter(new AdminApi(manager, store), metrics, tcp));
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      SocketGuard.removeStaging(staged);
      throw new ThinImageException(
          ErrorKind.TRANSIENT,
          "daemon-listen-failed",
          "cannot listen on "
              + socket
              + (tcp == null ? "" : " and 127.0.0.1:" + options.metricsPort())
              + ": "
              + e.getMessage(),
          e);
    }
    SocketGuard.publish(staged, socket);
    ThinimageDaemon daemon = new ThinimageDaemon(server, manager, socket, options.metricsPort());
    LOG.atInfo()
        .addKeyValue("socket", socket.toString())
        .addKeyValue("metricsPort", options.metricsPort())
        .log("admin api listening");
    manager.resumeInBackground();
    return daemon;
  }

  /**
   * Runs the service until SIGTERM or SIGINT, then shuts it down gracefully and returns 0. Errors
   * at start ({@link ThinImageException}) propagate for the caller to print as one line.
   */
  public static int run(DaemonOptions options, ImageManager manager) {
    return run(options, manager, Optional.empty());
  }

  /** {@link #run(DaemonOptions, ImageManager)} with a store the dashboard may browse. */
  public static int run(DaemonOptions options, ImageManager manager, Optional<ObjectStore> store) {
    Thread.setDefaultUncaughtExceptionHandler(ThinimageDaemon::uncaught);
    ThinimageDaemon daemon = start(options, manager, store);
    CountDownLatch stop = new CountDownLatch(1);
    boolean handled = Signals.onTermination(stop::countDown);
    // Covers System.exit elsewhere and signals we could not handle: the same idempotent stop.
    Thread hook = new Thread(daemon::close, "thinimage-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LOG.atInfo().addKeyValue("signals", handled).log("daemon started");
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    daemon.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The JVM is exiting anyway; the hook finds the daemon closed.
    }
    return 0;
  }

  /**
   * What a thread of the service does not handle. The engine fails a run whose step ran out of
   * memory or stack, so an error reaching here was not recorded: a {@link VirtualMachineError} (the
   * heap or stack ran out again while recording) leaves the JVM in doubt, so the service ends at
   * once with status 1 — the store is crash-safe, the unit restarts it, and the resumed run's
   * attempt bound ends it. Anything else is logged and the service keeps serving; the run it
   * stopped resumes on the next start.
   */
  static void uncaught(Thread thread, Throwable e) {
    boolean fatal = e instanceof VirtualMachineError;
    try {
      LOG.atError()
          .addKeyValue("thread", thread.getName())
          .setCause(fatal ? null : e)
          .log(
              fatal ? "fatal {}: exiting; runs resume on the next start" : "uncaught {}",
              e.toString());
    } catch (Throwable logFailed) { // the heap is gone: still exit
      e.addSuppressed(logFailed);
    }
    if (fatal) {
      Runtime.getRuntime().halt(1);
    }
  }

  /** The admin socket. */
  public Path socket() {
    return socket;
  }

  /** The metrics port (0 when disabled). */
  public int metricsPort() {
    return metricsPort;
  }

  /**
   * Stops accepting requests (in-flight ones drain), closes the manager (running steps finish or
   * park resumably, the store is checkpointed and closed) and removes the socket. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("shutting down: draining requests, parking runs");
    try {
      server.stop();
    } catch (Exception e) {
      LOG.atWarn().setCause(e).log("admin server did not stop cleanly");
    }
    try {
      manager.close();
    } finally {
      SocketGuard.remove(socket);
      LOG.info("stopped");
    }
  }
}
