-- Finding one kind of act in the audit trail without reading all of it.
--
-- A patient's record lists each picture's exports, and the list of today's
-- filings reads today's filing rows; with tens of thousands of rows in the
-- trail, each of these is one step down this index rather than a read of
-- every row. The rows themselves, and their chain, are untouched.
CREATE INDEX audit_action ON audit (action, at);
