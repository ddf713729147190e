-- thinimage store, schema 1. Instants are INTEGER nanoseconds since the epoch (exact round trip,
-- and they sort). Enum columns hold the Java enum names, checked here so a typo cannot land.
-- Statements are separated by a semicolon at the end of a line.

CREATE TABLE blobs (
  digest    TEXT    NOT NULL PRIMARY KEY CHECK (length(digest) = 64),
  size      INTEGER NOT NULL CHECK (size >= 0),
  stored_at INTEGER NOT NULL
) STRICT;

CREATE TABLE blob_sources (
  store  TEXT NOT NULL,
  key    TEXT NOT NULL,
  etag   TEXT NOT NULL,
  digest TEXT NOT NULL REFERENCES blobs (digest) ON DELETE CASCADE,
  PRIMARY KEY (store, key, etag)
) STRICT;
CREATE INDEX blob_sources_by_digest ON blob_sources (digest);

CREATE TABLE images (
  id              TEXT    NOT NULL PRIMARY KEY,
  store           TEXT    NOT NULL,
  reference       TEXT    NOT NULL,
  top_chain       TEXT,
  state           TEXT    NOT NULL CHECK (state IN ('PENDING', 'READY', 'FAILED')),
  failure_code    TEXT,
  failure_message TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX images_by_created ON images (created_at, id);
CREATE INDEX images_by_state ON images (state);
CREATE INDEX images_by_reference ON images (store, reference);

CREATE TABLE image_layers (
  image_id    TEXT    NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL CHECK (position >= 1),
  object_key  TEXT    NOT NULL,
  object_size INTEGER NOT NULL CHECK (object_size >= 0),
  object_etag TEXT    NOT NULL,
  digest      TEXT,
  chain       TEXT,
  PRIMARY KEY (image_id, position)
) STRICT;
CREATE INDEX image_layers_by_digest ON image_layers (digest);
CREATE INDEX image_layers_by_chain ON image_layers (chain);

CREATE TABLE volumes (
  thin_id        INTEGER NOT NULL PRIMARY KEY CHECK (thin_id BETWEEN 0 AND 16777215),
  kind           TEXT    NOT NULL CHECK (kind IN ('CHAIN', 'ACTIVATION')),
  chain          TEXT,
  parent_thin_id INTEGER,
  virtual_size   INTEGER NOT NULL,
  state          TEXT    NOT NULL
                 CHECK (state IN ('PLANNED', 'CREATED', 'READY', 'DELETING', 'BROKEN')),
  owner_run_id   TEXT,
  created_at     INTEGER,
  updated_at     INTEGER,
  CHECK (kind <> 'CHAIN' OR chain IS NOT NULL)
) STRICT;
-- one chain volume per chain, whatever its state
CREATE UNIQUE INDEX volumes_one_per_chain ON volumes (chain) WHERE kind = 'CHAIN';
CREATE INDEX volumes_by_kind_state ON volumes (kind, state);
CREATE INDEX volumes_by_parent ON volumes (parent_thin_id);

CREATE TABLE activations (
  id          TEXT    NOT NULL PRIMARY KEY,
  image_id    TEXT    NOT NULL,
  thin_id     INTEGER NOT NULL,
  state       TEXT    NOT NULL
              CHECK (state IN ('PENDING', 'ACTIVE', 'DEACTIVATING', 'INACTIVE', 'FAILED')),
  device_path TEXT,
  created_at  INTEGER,
  updated_at  INTEGER
) STRICT;
CREATE INDEX activations_by_created ON activations (created_at, id);
CREATE INDEX activations_by_image ON activations (image_id, created_at, id);
CREATE INDEX activations_by_state ON activations (state);
CREATE INDEX activations_by_thin_id ON activations (thin_id);

CREATE TABLE fsm_runs (
  id            TEXT    NOT NULL PRIMARY KEY,
  type          TEXT    NOT NULL,
  resource_id   TEXT    NOT NULL,
  state         TEXT    NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  attempt       INTEGER NOT NULL,
  not_before    INTEGER,
  attributes    TEXT    NOT NULL,
  parent_id     TEXT    REFERENCES fsm_runs (id),
  error_code    TEXT,
  error_message TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL CHECK (version >= 0)
) STRICT;
-- at most one ACTIVE run per (type, resource), enforced by the store itself
CREATE UNIQUE INDEX fsm_runs_one_active ON fsm_runs (type, resource_id) WHERE status = 'ACTIVE';
CREATE INDEX fsm_runs_by_status ON fsm_runs (status, created_at, id);
CREATE INDEX fsm_runs_by_created ON fsm_runs (created_at, id);
CREATE INDEX fsm_runs_by_parent ON fsm_runs (parent_id, created_at, id);

CREATE TABLE fsm_transitions (
  run_id        TEXT    NOT NULL REFERENCES fsm_runs (id),
  seq           INTEGER NOT NULL,
  from_state    TEXT,
  event         TEXT,
  to_state      TEXT,
  error_code    TEXT,
  error_message TEXT,
  at            INTEGER,
  duration_ms   INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) STRICT;

-- the last thin id handed out: ids are monotonic and never reused, even after a delete
CREATE TABLE thin_id_counter (
  id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  last_thin_id INTEGER NOT NULL CHECK (last_thin_id BETWEEN 0 AND 16777215)
) STRICT;
INSERT INTO thin_id_counter (id, last_thin_id) VALUES (1, 0);
