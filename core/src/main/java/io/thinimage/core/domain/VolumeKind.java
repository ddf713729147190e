package io.thinimage.core.domain;

/** What a volume holds. */
public enum VolumeKind {
  /** The root filesystem of one layer chain (layers 1..k applied). Shared by every image on it. */
  CHAIN,
  /** A writable snapshot of an image's top chain, handed to a VM. */
  ACTIVATION
}
