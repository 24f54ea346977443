-- Server schema 5: the figures count every fact of a period, for the
-- street, each grid and each department. Indexes that lead with the line's
-- key and carry the columns counted let SQLite answer each line from one
-- range of an index, in order, without looking rows up in the table.
DROP INDEX facts_reported;
DROP INDEX facts_dispatched;
CREATE INDEX facts_reported ON facts(
    reported_at, status, deadline, responded_on_time, completed_at, completed_on_time,
    closed_at, returns, reopens, holds, recurrence, satisfaction
) WHERE dept = '';
CREATE INDEX facts_grid_reported ON facts(
    grid, reported_at, status, deadline, responded_on_time, completed_at, completed_on_time,
    closed_at, returns, reopens, holds, recurrence, satisfaction
) WHERE dept = '';
CREATE INDEX facts_dept_dispatched ON facts(
    dept, dispatched_at, status, deadline, responded_on_time, completed_at, completed_on_time,
    closed_at, returns, reopens, holds, recurrence, satisfaction
) WHERE dept <> '';
