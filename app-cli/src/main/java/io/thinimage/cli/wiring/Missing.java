package io.thinimage.cli.wiring;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;

/** The error for a part this build does not include. */
final class Missing {
  private Missing() {}

  static ThinImageException adapter(String what) {
    return new ThinImageException(
        ErrorKind.INTERNAL, "adapter-missing", what + " is not included in this build");
  }
}
