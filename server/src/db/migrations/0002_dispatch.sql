-- Server schema 2: the dispatch engine, the scheduler and the figures.

-- Small settings the server keeps for itself (its Automerge actor id).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- Changes the server wrote itself (the dispatch engine, the scheduler).
ALTER TABLE changes ADD COLUMN by_server INTEGER NOT NULL DEFAULT 0;

-- When the case last closed (recurrence lookups), and when the scheduler
-- must next look at it (a reminder or an escalation falls due).
ALTER TABLE cases ADD COLUMN closed_at INTEGER;
ALTER TABLE cases ADD COLUMN next_alarm INTEGER;
CREATE INDEX cases_place ON cases(category, lat);
CREATE INDEX cases_alarm ON cases(next_alarm) WHERE next_alarm IS NOT NULL;

-- Facts for the figures, written at every transition of a case: one row
-- for the case (dept = '') and one per department it was dispatched to.
-- Each flag is fixed when its transition happens, so a later change of the
-- rules does not rewrite history.
CREATE TABLE facts (
    case_id           BLOB NOT NULL,
    dept              TEXT NOT NULL,
    category          TEXT NOT NULL,
    grid              TEXT,
    status            TEXT NOT NULL,
    reported_at       INTEGER NOT NULL,
    dispatched_at     INTEGER,
    deadline          INTEGER,
    accepted_at       INTEGER,
    responded_on_time INTEGER,
    completed_at      INTEGER,
    completed_on_time INTEGER,
    closed_at         INTEGER,
    returns           INTEGER NOT NULL,
    reopens           INTEGER NOT NULL,
    holds             INTEGER NOT NULL,
    recurrence        INTEGER NOT NULL,
    on_site           INTEGER NOT NULL,
    satisfaction      TEXT,
    PRIMARY KEY (case_id, dept)
) STRICT;
CREATE INDEX facts_reported ON facts(reported_at) WHERE dept = '';
CREATE INDEX facts_dispatched ON facts(dispatched_at) WHERE dept <> '';

-- Re-inspections (复查) of watched categories after closing, for the
-- patrol officers of the grid.
CREATE TABLE inspections (
    case_id  BLOB NOT NULL,
    grid     TEXT,
    category TEXT NOT NULL,
    due_at   INTEGER NOT NULL,
    done_at  INTEGER,
    PRIMARY KEY (case_id, due_at)
) STRICT;
CREATE INDEX inspections_open ON inspections(grid, due_at) WHERE done_at IS NULL;
