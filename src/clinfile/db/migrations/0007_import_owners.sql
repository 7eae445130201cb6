-- Who is doing each import under way, so that a start-up only ever undoes or
-- finishes the work of a process that has gone.
--
-- Several processes write one vault at once (the window's watch, a manual
-- import, the command line). A journal row belongs to the process that wrote
-- it, named by its process id, the time that process started (a process id is
-- reused, the pair is not) and the computer it runs on. Rows written before
-- owners were recorded have none; the process that wrote them ran an older
-- Clinfile and has ended.
ALTER TABLE import_journal ADD COLUMN owner_pid INTEGER;
ALTER TABLE import_journal ADD COLUMN owner_started REAL;
ALTER TABLE import_journal ADD COLUMN owner_host TEXT;

-- Two imports of the same picture meet here: the second waits for the first.
CREATE INDEX import_journal_sha256 ON import_journal (sha256);
