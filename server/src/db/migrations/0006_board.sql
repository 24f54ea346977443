-- Server schema 6: the public board and the dispatcher's queue list cases
-- newest (or oldest) first; an index on the report time reads one page
-- of them instead of sorting every case.
CREATE INDEX cases_created ON cases(created_at);
