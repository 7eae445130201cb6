-- Images taken into custody: the inbox of unfiled items, what was refused, and
-- the journal that lets an interrupted import be undone or finished.

-- One row per image in the vault. Width and height are as displayed, with the
-- orientation applied; the orientation the camera recorded is kept because the
-- clean derivative no longer carries it.
CREATE TABLE images (
    id               INTEGER PRIMARY KEY,
    sha256           TEXT NOT NULL UNIQUE,
    original_blob    TEXT NOT NULL,
    derivative_blob  TEXT NOT NULL,
    thumbnail_blob   TEXT NOT NULL,
    size             INTEGER NOT NULL,
    format           TEXT NOT NULL,
    source_kind      TEXT NOT NULL CHECK (source_kind IN ('drop_folder', 'device', 'manual')),
    source_path      TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    received_by      TEXT NOT NULL,
    captured_at      TEXT,
    camera_make      TEXT,
    camera_model     TEXT,
    width            INTEGER NOT NULL,
    height           INTEGER NOT NULL,
    orientation      INTEGER NOT NULL DEFAULT 1,
    had_gps          INTEGER NOT NULL DEFAULT 0,
    identifying_tags TEXT NOT NULL DEFAULT '[]',
    status           TEXT NOT NULL DEFAULT 'unfiled'
);
CREATE INDEX images_status ON images (status, received_at);

-- Files refused at import. The source stays where it was; it is offered again
-- only once its size or modification time changes.
CREATE TABLE quarantine (
    id             INTEGER PRIMARY KEY,
    source_path    TEXT NOT NULL UNIQUE,
    reason         TEXT NOT NULL,
    size           INTEGER,
    mtime_ns       INTEGER,
    quarantined_at TEXT NOT NULL
);

-- Imports under way. A row is written before any blob, naming the blobs it
-- will write; 'storing' rows found after a crash are undone (their blobs
-- deleted, the source untouched), 'deleting_source' rows are finished.
CREATE TABLE import_journal (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT NOT NULL,
    source_kind     TEXT NOT NULL,
    source_path     TEXT NOT NULL,
    original_blob   TEXT NOT NULL,
    derivative_blob TEXT NOT NULL,
    thumbnail_blob  TEXT NOT NULL,
    stage           TEXT NOT NULL CHECK (stage IN ('storing', 'deleting_source')),
    started_at      TEXT NOT NULL
);
