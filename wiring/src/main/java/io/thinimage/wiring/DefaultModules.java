package io.thinimage.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.matcher.Matchers;
import io.thinimage.adapters.devicemapper.DevicemapperConfig;
import io.thinimage.adapters.devicemapper.DevicemapperPoolModule;
import io.thinimage.adapters.directory.DirectoryPoolModule;
import io.thinimage.adapters.s3.ObjectStoreModule;
import io.thinimage.adapters.sqlite.SqliteModule;
import io.thinimage.core.port.ObjectStore;
import java.net.URI;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * The default module set: the adapters' own modules ({@link SqliteModule}, {@link
 * ObjectStoreModule}, {@link DirectoryPoolModule} or {@link DevicemapperPoolModule}) and a {@link
 * ManagerModule} over them, configured from one {@link HostSettings}. The CLI and the daemon are
 * wired with exactly this; an embedder can use it as is, or install the adapter modules it wants.
 *
 * <p>The injector also binds {@link OpenedResources}: close it when done, and the manager, the
 * database and the S3 client that were opened are closed in the right order.
 */
public final class DefaultModules {
  private DefaultModules() {}

  /** The modules of a manager on this host, as {@code settings} describe it. */
  public static Module forHost(HostSettings settings) {
    return forHost(settings, Clock.systemUTC());
  }

  /** The same with another clock (tests). */
  public static Module forHost(HostSettings settings, Clock clock) {
    return forHost(settings, clock, UnaryOperator.identity());
  }

  /**
   * The same with the object store wrapped by {@code decorateStore} before anything uses it
   * (metrics, tracing, fault injection).
   */
  public static Module forHost(
      HostSettings settings, Clock clock, UnaryOperator<ObjectStore> decorateStore) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        OpenedResources opened = new OpenedResources();
        bind(OpenedResources.class).toInstance(opened);
        bindListener(Matchers.any(), opened);
        install(new SqliteModule(settings.dbFile()));
        install(
            new ObjectStoreModule(
                settings.storeUri(),
                o -> {
                  var tuned = o.withRegion(settings.region()).withAnonymous(settings.anonymous());
                  return settings.s3Endpoint().isEmpty()
                      ? tuned
                      : tuned.withEndpoint(URI.create(settings.s3Endpoint()), true);
                },
                decorateStore));
        install(
            switch (settings.poolDriver()) {
              case DIRECTORY ->
                  new DirectoryPoolModule(settings.poolDir(), settings.effectiveHealth());
              case DEVICEMAPPER ->
                  new DevicemapperPoolModule(
                      DevicemapperConfig.defaults(settings.poolName(), settings.mountRoot()),
                      settings.effectiveHealth());
            });
        install(
            new ManagerModule(
                settings.blobDir(), settings.manager(), settings.resumeOnBuild(), clock));
      }
    };
  }
}
