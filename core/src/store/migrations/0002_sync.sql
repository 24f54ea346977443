-- Schema 2: the sync client's bookkeeping.

-- Changes the server refused, with its reason: kept so nothing a user did is
-- lost, and listed by `paidan-field refused`.
CREATE TABLE refused (
    change_hash TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
