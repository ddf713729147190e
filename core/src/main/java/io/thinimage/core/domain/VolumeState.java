package io.thinimage.core.domain;

/**
 * The durable state of a volume. PLANNED is the intent: the thin id is reserved and committed
 * before any device exists, so a crash at any instruction leaves a row that reconcile can finish or
 * compensate.
 */
public enum VolumeState {
  /** Id reserved and committed; the device may or may not exist yet. */
  PLANNED,
  /** The device exists (created or snapshotted); content may be incomplete. */
  CREATED,
  /** Content complete and sealed; safe to snapshot. */
  READY,
  /** Removal decided and committed; the device may still exist. */
  DELETING,
  /** The record says it should exist but the pool no longer has it (seen by reconcile). */
  BROKEN
}
