-- Server schema 3: accounts, devices, read scope, private contacts, audit.

-- People who may log in. `user_id` is what events carry (opaque: never a
-- phone number); `login` is what they type (a resident's phone number, a
-- staff member's name). Passwords are argon2id PHC strings.
CREATE TABLE accounts (
    user_id       TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    street        TEXT NOT NULL,
    dept          TEXT,
    grids         TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A logged-in device: its bearer token (sha256 of it, never the token),
-- and the Automerge actor id it writes with (bound at login).
CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES accounts(user_id),
    token_hash BLOB NOT NULL UNIQUE,
    actor      BLOB NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX devices_user ON devices(user_id);
CREATE INDEX devices_actor ON devices(actor);

-- The one-time token that creates the first admin account.
CREATE TABLE setup_tokens (
    token_hash BLOB PRIMARY KEY,
    created_at INTEGER NOT NULL
) STRICT;

-- Read scope: who may receive a case. `principal` is `u:<user>`,
-- `g:<grid>`, `d:<dept>` or `s:<street>`; `granted_seq` is the log's seq
-- when the grant was made, so a device whose cursor is older receives the
-- case's whole history.
CREATE TABLE case_access (
    case_id     BLOB NOT NULL,
    principal   TEXT NOT NULL,
    granted_seq INTEGER NOT NULL,
    PRIMARY KEY (principal, case_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_access_granted ON case_access(principal, granted_seq);

-- The reporter's name and phone, for the center's callback only: outside
-- the case documents, never in any feed or on the board.
CREATE TABLE contacts (
    case_id BLOB PRIMARY KEY,
    user_id TEXT NOT NULL,
    name    TEXT,
    phone   TEXT,
    at      INTEGER NOT NULL
) STRICT;

-- Who did what, when: refused changes, logins, account and device changes.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_at ON audit(at);
