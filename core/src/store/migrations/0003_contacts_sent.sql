-- Store schema 3: whether a case's private contact has reached the server
-- (it goes up once, outside the case document, after the case itself).
ALTER TABLE private_contacts ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
