-- Server schema 4: the departments an order is with, for the console's
-- lists and the public board (comma separated, from the case's fold).
ALTER TABLE cases ADD COLUMN departments TEXT NOT NULL DEFAULT '';
