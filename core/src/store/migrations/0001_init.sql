-- Schema 1: case documents, their listing index, private contacts, photos.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One Automerge document per case. `synced_heads` are the heads the server
-- last acknowledged (concatenated 32-byte hashes); the sync client sends
-- what is not reachable from them.
CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    doc          BLOB NOT NULL,
    synced_heads BLOB NOT NULL DEFAULT x'',
    dirty        INTEGER NOT NULL DEFAULT 1
) STRICT;

-- What a phone lists and filters by; rewritten in the same transaction as
-- the document, so the two never disagree.
CREATE TABLE case_index (
    id         TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    category   TEXT NOT NULL,
    title      TEXT NOT NULL,
    reporter   TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    grid       TEXT,
    deadline   INTEGER
) STRICT;
CREATE INDEX case_index_updated  ON case_index(updated_at DESC);
CREATE INDEX case_index_status   ON case_index(status, updated_at DESC);
CREATE INDEX case_index_category ON case_index(category, updated_at DESC);
CREATE INDEX case_index_reporter ON case_index(reporter, updated_at DESC);
CREATE INDEX case_index_place    ON case_index(lat, lon);

-- Followers (the reporter and reporters of linked duplicates): "mine".
CREATE TABLE case_followers (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    PRIMARY KEY (user_id, case_id)
) STRICT, WITHOUT ROWID;

-- The reporter's private contact, kept out of the shared document.
CREATE TABLE private_contacts (
    case_id TEXT PRIMARY KEY,
    name    TEXT,
    phone   TEXT
) STRICT;

-- Prepared photos on this device (files under photos/), and whether the
-- server has them yet.
CREATE TABLE photos (
    sha256   TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL,
    bytes    INTEGER NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0
) STRICT;
