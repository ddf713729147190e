package io.thinimage.core.api;

import io.thinimage.core.lifecycle.ActivateFsm;
import io.thinimage.core.lifecycle.DeactivateFsm;
import io.thinimage.core.lifecycle.DownloadFsm;
import io.thinimage.core.lifecycle.ImagePipelineFsm;
import io.thinimage.core.lifecycle.UnpackFsm;

/**
 * The values of {@link io.thinimage.core.engine.Run#type()}: which state machine a run belongs to.
 * Part of the API so that presenters (status, metrics, dashboards) never reach into the lifecycle.
 */
public final class RunTypes {
  /** The image pipeline: resolve, fetch, build, activate. Its resource is the image id. */
  public static final String IMAGE = ImagePipelineFsm.TYPE;

  /** One layer download. Its resource is the object's store and key. */
  public static final String DOWNLOAD = DownloadFsm.TYPE;

  /** One chain volume build. Its resource is the chain id. */
  public static final String UNPACK = UnpackFsm.TYPE;

  /** One activation (snapshot). */
  public static final String ACTIVATE = ActivateFsm.TYPE;

  /** One deactivation. */
  public static final String DEACTIVATE = DeactivateFsm.TYPE;

  private RunTypes() {}
}
