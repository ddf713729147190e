package io.thinimage.adapters.sqlite;

import static io.thinimage.adapters.sqlite.Jdbc.exists;
import static io.thinimage.adapters.sqlite.Jdbc.nanos;
import static io.thinimage.adapters.sqlite.Jdbc.text;
import static io.thinimage.adapters.sqlite.Jdbc.update;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.BlobSource;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeSpec;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.port.RepositoryTransaction;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The writes, on the writer connection inside one IMMEDIATE transaction. Every UPDATE and DELETE
 * checks its row count; a zero is then told apart (missing row or row in another state) with one
 * lookup, still inside the transaction, so the answer is exact.
 */
final class SqlTransaction extends SqlReader implements RepositoryTransaction {

  SqlTransaction(Connection c) {
    super(c);
  }

  private static ThinImageException notFound(String what) {
    return ThinImageException.notFound("row-not-found", what + " not found");
  }

  private static ThinImageException taken(String what) {
    return ThinImageException.conflict("row-exists", what + " already exists");
  }

  private static ThinImageException stale(String what, String actual, Object expected) {
    return ThinImageException.conflict(
        "stale-state", what + " is " + actual + ", expected " + expected);
  }

  private static String chainText(ChainId chain) {
    return chain == null ? null : chain.toString();
  }

  private static String hex(BlobDigest digest) {
    return digest == null ? null : digest.hex();
  }

  // ---------------------------------------------------------------- blobs

  @Override
  public void putBlob(Blob blob) {
    sql(
        "storing blob",
        () ->
            update(
                c,
                "INSERT INTO blobs (digest, size, stored_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (digest) DO NOTHING",
                blob.digest().hex(),
                blob.size(),
                nanos(blob.storedAt())));
  }

  @Override
  public void putBlobSource(BlobSource source) {
    sql(
        "storing blob source",
        () -> {
          if (!exists(c, "SELECT 1 FROM blobs WHERE digest = ?", source.digest().hex())) {
            throw notFound("blob " + source.digest());
          }
          int n =
              update(
                  c,
                  "INSERT INTO blob_sources (store, key, etag, digest) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (store, key, etag) DO NOTHING",
                  source.store(),
                  source.key(),
                  source.etag(),
                  source.digest().hex());
          if (n == 0) {
            String stored =
                text(
                    c,
                    "SELECT digest FROM blob_sources WHERE store = ? AND key = ? AND etag = ?",
                    source.store(),
                    source.key(),
                    source.etag());
            if (!source.digest().hex().equals(stored)) {
              throw taken(
                  "source " + source.key() + " (" + source.etag() + ") of blob sha256:" + stored);
            }
          }
          return null;
        });
  }

  @Override
  public void deleteBlob(BlobDigest digest) {
    sql(
        "deleting blob",
        () -> {
          // blob_sources rows go with it (ON DELETE CASCADE).
          if (update(c, "DELETE FROM blobs WHERE digest = ?", digest.hex()) == 0) {
            throw notFound("blob " + digest);
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- images

  @Override
  public void putImage(Image image) {
    sql(
        "storing image",
        () -> {
          // An upsert, not INSERT OR REPLACE: a replace deletes the row and would cascade.
          update(
              c,
              "INSERT INTO images (id, store, reference, top_chain, state, failure_code,"
                  + " failure_message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  + " ON CONFLICT (id) DO UPDATE SET store = excluded.store,"
                  + " reference = excluded.reference, top_chain = excluded.top_chain,"
                  + " state = excluded.state, failure_code = excluded.failure_code,"
                  + " failure_message = excluded.failure_message,"
                  + " created_at = excluded.created_at, updated_at = excluded.updated_at",
              image.id(),
              image.store(),
              image.reference().value(),
              chainText(image.topChain()),
              image.state(),
              image.failureCode(),
              image.failureMessage(),
              nanos(image.createdAt()),
              nanos(image.updatedAt()));
          update(c, "DELETE FROM image_layers WHERE image_id = ?", image.id());
          for (ImageLayer l : image.layers()) {
            update(
                c,
                "INSERT INTO image_layers (image_id, position, object_key, object_size,"
                    + " object_etag, digest, chain) VALUES (?, ?, ?, ?, ?, ?, ?)",
                image.id(),
                l.position(),
                l.object().key(),
                l.object().size(),
                l.object().etag(),
                hex(l.digest()),
                chainText(l.chain()));
          }
          return null;
        });
  }

  @Override
  public void deleteImage(String imageId) {
    sql(
        "deleting image",
        () -> {
          if (update(c, "DELETE FROM images WHERE id = ?", imageId) == 0) {
            throw notFound("image " + imageId);
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- volumes

  @Override
  public long allocateThinId() {
    return sql(
        "allocating a thin id",
        () -> {
          int n =
              update(
                  c,
                  "UPDATE thin_id_counter SET last_thin_id = last_thin_id + 1"
                      + " WHERE id = 1 AND last_thin_id < ?",
                  VolumeSpec.MAX_THIN_ID);
          if (n == 0) {
            throw ThinImageException.conflict(
                "thin-ids-exhausted", "every thin id below 2^24 has been used");
          }
          return Jdbc.number(c, "SELECT last_thin_id FROM thin_id_counter WHERE id = 1");
        });
  }

  @Override
  public void insertVolume(Volume volume) {
    sql(
        "inserting volume",
        () -> {
          if (exists(c, "SELECT 1 FROM volumes WHERE thin_id = ?", volume.thinId())) {
            throw taken("volume " + volume.thinId());
          }
          if (volume.kind() == VolumeKind.CHAIN
              && exists(
                  c,
                  "SELECT 1 FROM volumes WHERE kind = 'CHAIN' AND chain = ?",
                  chainText(volume.chain()))) {
            throw taken("chain volume of " + volume.chain());
          }
          update(
              c,
              "INSERT INTO volumes (thin_id, kind, chain, parent_thin_id, virtual_size, state,"
                  + " owner_run_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              volume.thinId(),
              volume.kind(),
              chainText(volume.chain()),
              volume.parentThinId(),
              volume.virtualSizeBytes(),
              volume.state(),
              volume.ownerRunId(),
              nanos(volume.createdAt()),
              nanos(volume.updatedAt()));
          // An id in use is never handed out again, even one the caller chose.
          update(
              c,
              "UPDATE thin_id_counter SET last_thin_id = max(last_thin_id, ?) WHERE id = 1",
              volume.thinId());
          return null;
        });
  }

  @Override
  public void updateVolume(Volume volume, VolumeState expected) {
    sql(
        "updating volume",
        () -> {
          String what = "volume " + volume.thinId();
          String state = text(c, "SELECT state FROM volumes WHERE thin_id = ?", volume.thinId());
          if (state == null) {
            throw notFound(what);
          }
          if (!state.equals(expected.name())) {
            throw stale(what, state, expected);
          }
          if (volume.kind() == VolumeKind.CHAIN
              && exists(
                  c,
                  "SELECT 1 FROM volumes WHERE kind = 'CHAIN' AND chain = ? AND thin_id <> ?",
                  chainText(volume.chain()),
                  volume.thinId())) {
            throw taken("chain volume of " + volume.chain());
          }
          int n =
              update(
                  c,
                  "UPDATE volumes SET kind = ?, chain = ?, parent_thin_id = ?, virtual_size = ?,"
                      + " state = ?, owner_run_id = ?, created_at = ?, updated_at = ?"
                      + " WHERE thin_id = ? AND state = ?",
                  volume.kind(),
                  chainText(volume.chain()),
                  volume.parentThinId(),
                  volume.virtualSizeBytes(),
                  volume.state(),
                  volume.ownerRunId(),
                  nanos(volume.createdAt()),
                  nanos(volume.updatedAt()),
                  volume.thinId(),
                  expected);
          if (n != 1) {
            throw stale(what, "changed", expected);
          }
          return null;
        });
  }

  @Override
  public void deleteVolume(long thinId) {
    sql(
        "deleting volume",
        () -> {
          if (update(c, "DELETE FROM volumes WHERE thin_id = ?", thinId) == 0) {
            throw notFound("volume " + thinId);
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- activations

  @Override
  public void insertActivation(Activation a) {
    sql(
        "inserting activation",
        () -> {
          if (exists(c, "SELECT 1 FROM activations WHERE id = ?", a.id())) {
            throw taken("activation " + a.id());
          }
          update(
              c,
              "INSERT INTO activations (id, image_id, thin_id, state, device_path, created_at,"
                  + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              a.id(),
              a.imageId(),
              a.thinId(),
              a.state(),
              a.devicePath(),
              nanos(a.createdAt()),
              nanos(a.updatedAt()));
          return null;
        });
  }

  @Override
  public void updateActivation(Activation a, ActivationState expected) {
    sql(
        "updating activation",
        () -> {
          String what = "activation " + a.id();
          int n =
              update(
                  c,
                  "UPDATE activations SET image_id = ?, thin_id = ?, state = ?, device_path = ?,"
                      + " created_at = ?, updated_at = ? WHERE id = ? AND state = ?",
                  a.imageId(),
                  a.thinId(),
                  a.state(),
                  a.devicePath(),
                  nanos(a.createdAt()),
                  nanos(a.updatedAt()),
                  a.id(),
                  expected);
          if (n == 0) {
            String state = text(c, "SELECT state FROM activations WHERE id = ?", a.id());
            throw state == null ? notFound(what) : stale(what, state, expected);
          }
          return null;
        });
  }

  @Override
  public void deleteActivation(String activationId) {
    sql(
        "deleting activation",
        () -> {
          if (update(c, "DELETE FROM activations WHERE id = ?", activationId) == 0) {
            throw notFound("activation " + activationId);
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- runs

  private void requireParent(Run run) throws SQLException {
    if (run.parentId() != null
        && !exists(c, "SELECT 1 FROM fsm_runs WHERE id = ?", run.parentId())) {
      throw notFound("parent run " + run.parentId());
    }
  }

  private void requireNoOtherActive(Run run) throws SQLException {
    if (run.status() != RunStatus.ACTIVE) {
      return;
    }
    String other =
        text(
            c,
            "SELECT id FROM fsm_runs WHERE type = ? AND resource_id = ? AND status = 'ACTIVE'"
                + " AND id <> ?",
            run.type(),
            run.resourceId(),
            run.id());
    if (other != null) {
      throw ThinImageException.conflict(
          "run-already-active",
          "run " + other + " is already active for " + run.type() + " " + run.resourceId());
    }
  }

  @Override
  public void insertRun(Run run) {
    sql(
        "inserting run",
        () -> {
          if (exists(c, "SELECT 1 FROM fsm_runs WHERE id = ?", run.id())) {
            throw taken("run " + run.id());
          }
          requireParent(run);
          requireNoOtherActive(run);
          update(
              c,
              "INSERT INTO fsm_runs (id, type, resource_id, state, status, attempt, not_before,"
                  + " attributes, parent_id, error_code, error_message, created_at, updated_at,"
                  + " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              run.id(),
              run.type(),
              run.resourceId(),
              run.state(),
              run.status(),
              run.attempt(),
              nanos(run.notBefore()),
              Attributes.encode(run.attributes()),
              run.parentId(),
              run.errorCode(),
              run.errorMessage(),
              nanos(run.createdAt()),
              nanos(run.updatedAt()),
              run.version());
          return null;
        });
  }

  @Override
  public Run updateRun(Run run) {
    return sql(
        "updating run",
        () -> {
          String stored = text(c, "SELECT version FROM fsm_runs WHERE id = ?", run.id());
          if (stored == null) {
            throw notFound("run " + run.id());
          }
          if (Long.parseLong(stored) != run.version()) {
            throw ThinImageException.conflict(
                "stale-state",
                "run " + run.id() + " is at version " + stored + ", not " + run.version());
          }
          requireParent(run);
          requireNoOtherActive(run);
          int n =
              update(
                  c,
                  "UPDATE fsm_runs SET type = ?, resource_id = ?, state = ?, status = ?,"
                      + " attempt = ?, not_before = ?, attributes = ?, parent_id = ?,"
                      + " error_code = ?, error_message = ?, created_at = ?, updated_at = ?,"
                      + " version = version + 1 WHERE id = ? AND version = ?",
                  run.type(),
                  run.resourceId(),
                  run.state(),
                  run.status(),
                  run.attempt(),
                  nanos(run.notBefore()),
                  Attributes.encode(run.attributes()),
                  run.parentId(),
                  run.errorCode(),
                  run.errorMessage(),
                  nanos(run.createdAt()),
                  nanos(run.updatedAt()),
                  run.id(),
                  run.version());
          if (n != 1) {
            throw ThinImageException.conflict("stale-state", "run " + run.id() + " changed");
          }
          return run.nextVersion();
        });
  }

  @Override
  public void appendTransition(TransitionRecord t) {
    sql(
        "appending transition",
        () -> {
          if (!exists(c, "SELECT 1 FROM fsm_runs WHERE id = ?", t.runId())) {
            throw notFound("run " + t.runId());
          }
          if (exists(
              c,
              "SELECT 1 FROM fsm_transitions WHERE run_id = ? AND seq = ?",
              t.runId(),
              t.seq())) {
            throw taken("transition " + t.seq() + " of run " + t.runId());
          }
          update(
              c,
              "INSERT INTO fsm_transitions (run_id, seq, from_state, event, to_state, error_code,"
                  + " error_message, at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              t.runId(),
              t.seq(),
              t.fromState(),
              t.event(),
              t.toState(),
              t.errorCode(),
              t.errorMessage(),
              nanos(t.at()),
              t.durationMillis());
          return null;
        });
  }
}
