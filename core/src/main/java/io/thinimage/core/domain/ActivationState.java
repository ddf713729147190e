package io.thinimage.core.domain;

/** The life of an activation. */
public enum ActivationState {
  /** Decided and committed; its snapshot may not exist yet. */
  PENDING,
  /** Its device exists and is ready to hand to a VM. */
  ACTIVE,
  /** Deactivation decided; the device may still exist. */
  DEACTIVATING,
  /** Its device is gone; kept as history. */
  INACTIVE,
  /** Creation failed permanently; nothing of it remains in the pool. */
  FAILED
}
