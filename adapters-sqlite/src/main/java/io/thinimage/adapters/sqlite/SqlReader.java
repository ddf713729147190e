package io.thinimage.adapters.sqlite;

import static io.thinimage.adapters.sqlite.Jdbc.instant;
import static io.thinimage.adapters.sqlite.Jdbc.nullableLong;
import static io.thinimage.adapters.sqlite.Jdbc.prepare;

import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.ActivationState;
import io.thinimage.core.domain.Blob;
import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ChainId;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.ImageState;
import io.thinimage.core.domain.RemoteObject;
import io.thinimage.core.domain.Volume;
import io.thinimage.core.domain.VolumeKind;
import io.thinimage.core.domain.VolumeState;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.TransitionRecord;
import io.thinimage.core.port.RepositoryReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queries, on one connection inside one transaction. "Newest first" is {@code created_at DESC,
 * id DESC}; every list and count is served by an index (see V1__init.sql).
 */
class SqlReader implements RepositoryReader {
  final Connection c;
  private volatile boolean open = true;

  SqlReader(Connection c) {
    this.c = c;
  }

  void end() {
    open = false;
  }

  void check() {
    if (!open) {
      throw new IllegalStateException("used outside its transaction or read");
    }
  }

  /** A query's rows, mapped. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** A unit of JDBC work whose SQLException becomes a typed error. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run() throws SQLException;
  }

  <T> T sql(String doing, SqlWork<T> work) {
    check();
    try {
      return work.run();
    } catch (SQLException e) {
      throw SqlErrors.map(e, doing);
    }
  }

  <T> List<T> list(RowMapper<T> mapper, String query, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, query, args);
        ResultSet rs = ps.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
      return out;
    }
  }

  <T> Optional<T> one(RowMapper<T> mapper, String query, Object... args) throws SQLException {
    List<T> rows = list(mapper, query, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  // ---------------------------------------------------------------- blobs

  private static Blob blob(ResultSet rs) throws SQLException {
    return new Blob(
        new BlobDigest(rs.getString("digest")), rs.getLong("size"), instant(rs, "stored_at"));
  }

  @Override
  public Optional<Blob> findBlob(BlobDigest digest) {
    return sql(
        "finding blob",
        () -> one(SqlReader::blob, "SELECT * FROM blobs WHERE digest = ?", digest.hex()));
  }

  @Override
  public Optional<BlobDigest> findBlobBySource(String store, String key, String etag) {
    return sql(
        "finding blob source",
        () ->
            one(
                rs -> new BlobDigest(rs.getString(1)),
                "SELECT digest FROM blob_sources WHERE store = ? AND key = ? AND etag = ?",
                store,
                key,
                etag));
  }

  @Override
  public Optional<BlobDigest> findBlobByEtag(String store, String etag, long size) {
    return sql(
        "finding blob by etag",
        () ->
            one(
                rs -> new BlobDigest(rs.getString(1)),
                "SELECT s.digest FROM blob_sources s JOIN blobs b ON b.digest = s.digest"
                    + " WHERE s.store = ? AND s.etag = ? AND b.size = ? ORDER BY s.digest LIMIT 1",
                store,
                etag,
                size));
  }

  @Override
  public List<Blob> listBlobs() {
    return sql("listing blobs", () -> list(SqlReader::blob, "SELECT * FROM blobs ORDER BY digest"));
  }

  // ---------------------------------------------------------------- images

  private static ChainId chain(String text) {
    return text == null ? null : ChainId.parse(text);
  }

  private static BlobDigest digest(String hex) {
    return hex == null ? null : new BlobDigest(hex);
  }

  private static ImageLayer layer(ResultSet rs) throws SQLException {
    return new ImageLayer(
        rs.getInt("position"),
        new RemoteObject(
            rs.getString("object_key"), rs.getLong("object_size"), rs.getString("object_etag")),
        digest(rs.getString("digest")),
        chain(rs.getString("chain")));
  }

  private static Image image(ResultSet rs, List<ImageLayer> layers) throws SQLException {
    return new Image(
        rs.getString("id"),
        rs.getString("store"),
        new ImageReference(rs.getString("reference")),
        layers,
        chain(rs.getString("top_chain")),
        ImageState.valueOf(rs.getString("state")),
        rs.getString("failure_code"),
        rs.getString("failure_message"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  @Override
  public Optional<Image> findImage(String imageId) {
    return sql(
        "finding image",
        () -> {
          List<ImageLayer> layers =
              list(
                  SqlReader::layer,
                  "SELECT * FROM image_layers WHERE image_id = ? ORDER BY position",
                  imageId);
          return one(rs -> image(rs, layers), "SELECT * FROM images WHERE id = ?", imageId);
        });
  }

  @Override
  public List<Image> listImages() {
    return sql(
        "listing images",
        () -> {
          // Two queries for any number of images, never one per image.
          Map<String, List<ImageLayer>> layers = new HashMap<>();
          try (PreparedStatement ps =
                  prepare(c, "SELECT * FROM image_layers ORDER BY image_id, position");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              layers
                  .computeIfAbsent(rs.getString("image_id"), k -> new ArrayList<>())
                  .add(layer(rs));
            }
          }
          return list(
              rs -> image(rs, layers.getOrDefault(rs.getString("id"), List.of())),
              "SELECT * FROM images ORDER BY created_at DESC, id DESC");
        });
  }

  // ---------------------------------------------------------------- volumes

  private static Volume volume(ResultSet rs) throws SQLException {
    return new Volume(
        rs.getLong("thin_id"),
        VolumeKind.valueOf(rs.getString("kind")),
        chain(rs.getString("chain")),
        nullableLong(rs, "parent_thin_id"),
        rs.getLong("virtual_size"),
        VolumeState.valueOf(rs.getString("state")),
        rs.getString("owner_run_id"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  @Override
  public Optional<Volume> findVolume(long thinId) {
    return sql(
        "finding volume",
        () -> one(SqlReader::volume, "SELECT * FROM volumes WHERE thin_id = ?", thinId));
  }

  @Override
  public Optional<Volume> findChainVolume(ChainId chain) {
    return sql(
        "finding chain volume",
        () ->
            one(
                SqlReader::volume,
                "SELECT * FROM volumes WHERE kind = 'CHAIN' AND chain = ?",
                chain.toString()));
  }

  @Override
  public List<Volume> listVolumes() {
    return sql(
        "listing volumes", () -> list(SqlReader::volume, "SELECT * FROM volumes ORDER BY thin_id"));
  }

  // ---------------------------------------------------------------- activations

  private static Activation activation(ResultSet rs) throws SQLException {
    return new Activation(
        rs.getString("id"),
        rs.getString("image_id"),
        rs.getLong("thin_id"),
        ActivationState.valueOf(rs.getString("state")),
        rs.getString("device_path"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  @Override
  public Optional<Activation> findActivation(String activationId) {
    return sql(
        "finding activation",
        () -> one(SqlReader::activation, "SELECT * FROM activations WHERE id = ?", activationId));
  }

  @Override
  public List<Activation> listActivations() {
    return sql(
        "listing activations",
        () ->
            list(
                SqlReader::activation,
                "SELECT * FROM activations ORDER BY created_at DESC, id DESC"));
  }

  @Override
  public List<Activation> listActivations(String imageId) {
    return sql(
        "listing activations",
        () ->
            list(
                SqlReader::activation,
                "SELECT * FROM activations WHERE image_id = ? ORDER BY created_at DESC, id DESC",
                imageId));
  }

  // ---------------------------------------------------------------- runs

  static Run run(ResultSet rs) throws SQLException {
    return new Run(
        rs.getString("id"),
        rs.getString("type"),
        rs.getString("resource_id"),
        rs.getString("state"),
        RunStatus.valueOf(rs.getString("status")),
        rs.getInt("attempt"),
        instant(rs, "not_before"),
        Attributes.decode(rs.getString("attributes")),
        rs.getString("parent_id"),
        rs.getString("error_code"),
        rs.getString("error_message"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        rs.getLong("version"));
  }

  @Override
  public Optional<Run> findRun(String runId) {
    return sql(
        "finding run", () -> one(SqlReader::run, "SELECT * FROM fsm_runs WHERE id = ?", runId));
  }

  @Override
  public Optional<Run> findActiveRun(String type, String resourceId) {
    return sql(
        "finding active run",
        () ->
            one(
                SqlReader::run,
                "SELECT * FROM fsm_runs WHERE type = ? AND resource_id = ? AND status = 'ACTIVE'",
                type,
                resourceId));
  }

  @Override
  public List<Run> listActiveRuns() {
    return sql(
        "listing active runs",
        () ->
            list(
                SqlReader::run,
                "SELECT * FROM fsm_runs WHERE status = 'ACTIVE' ORDER BY created_at, id"));
  }

  @Override
  public List<Run> listRecentRuns(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit: " + limit);
    }
    return sql(
        "listing recent runs",
        () ->
            list(
                SqlReader::run,
                "SELECT * FROM fsm_runs ORDER BY created_at DESC, id DESC LIMIT ?",
                limit));
  }

  @Override
  public List<Run> listChildRuns(String parentRunId) {
    return sql(
        "listing child runs",
        () ->
            list(
                SqlReader::run,
                "SELECT * FROM fsm_runs WHERE parent_id = ? ORDER BY created_at, id",
                parentRunId));
  }

  private static TransitionRecord transition(ResultSet rs) throws SQLException {
    return new TransitionRecord(
        rs.getString("run_id"),
        rs.getInt("seq"),
        rs.getString("from_state"),
        rs.getString("event"),
        rs.getString("to_state"),
        rs.getString("error_code"),
        rs.getString("error_message"),
        instant(rs, "at"),
        rs.getLong("duration_ms"));
  }

  @Override
  public List<TransitionRecord> listTransitions(String runId) {
    return sql(
        "listing transitions",
        () ->
            list(
                SqlReader::transition,
                "SELECT * FROM fsm_transitions WHERE run_id = ? ORDER BY seq",
                runId));
  }

  @Override
  public Counts counts() {
    return sql(
        "counting",
        () ->
            new Counts(
                Jdbc.number(c, "SELECT count(*) FROM images"),
                Jdbc.number(c, "SELECT count(*) FROM images WHERE state = 'READY'"),
                Jdbc.number(c, "SELECT count(*) FROM blobs"),
                Jdbc.number(c, "SELECT count(*) FROM volumes WHERE kind = 'CHAIN'"),
                Jdbc.number(c, "SELECT count(*) FROM activations WHERE state = 'ACTIVE'"),
                Jdbc.number(c, "SELECT count(*) FROM fsm_runs WHERE status = 'ACTIVE'"),
                Jdbc.number(c, "SELECT count(*) FROM fsm_runs WHERE status = 'FAILED'")));
  }
}
