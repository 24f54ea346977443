-- Server schema 1.

-- The append-only change log: every change ever merged, once (unique on
-- its hash, so a re-sent change is a no-op). `seq` orders the feed that
-- devices follow with their cursor.
CREATE TABLE changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BLOB NOT NULL,
    hash    BLOB NOT NULL UNIQUE,
    bytes   BLOB NOT NULL
) STRICT;
CREATE INDEX changes_case ON changes(case_id, seq);

-- The current document of each case: a compacted snapshot and the last
-- seq it includes (later changes of the case are replayed on load), and
-- the listing index derived from it.
CREATE TABLE cases (
    case_id      BLOB PRIMARY KEY,
    snapshot     BLOB NOT NULL,
    snapshot_seq INTEGER NOT NULL,
    heads        BLOB NOT NULL,
    status       TEXT NOT NULL,
    category     TEXT NOT NULL,
    title        TEXT NOT NULL,
    reporter     TEXT,
    grid         TEXT,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    deadline     INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_status ON cases(status, updated_at DESC);
CREATE INDEX cases_updated ON cases(updated_at DESC);

-- What the dispatch hook has seen arrive: one row per new case.
CREATE TABLE arrivals (
    case_id BLOB PRIMARY KEY,
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL
) STRICT;

-- Photos the server holds (files under blobs/).
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    bytes  INTEGER NOT NULL,
    at     INTEGER NOT NULL
) STRICT;
