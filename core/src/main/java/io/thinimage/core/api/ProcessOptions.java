package io.thinimage.core.api;

/**
 * How {@link ImageManager#process} treats an image that is already processed.
 *
 * @param newActivation make another activation even if a live one exists (else the existing one is
 *     returned)
 * @param activate whether to activate at all (false stops after unpacking)
 */
public record ProcessOptions(boolean newActivation, boolean activate) {
  public static ProcessOptions defaults() {
    return new ProcessOptions(false, true);
  }
}
