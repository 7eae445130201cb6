-- Privacy incidents: a picture sent to the wrong person.
--
-- Each row says what was sent, to whom, when it was sent and found out, what
-- was done about it, and who reported it; it points at the audit trail's
-- entry of the export it is about. A report is never changed or removed:
-- what was learned later is a new report that names the first.
CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    export_seq    INTEGER REFERENCES audit (seq),
    patient_id    INTEGER REFERENCES patients (id),
    what_was_sent TEXT NOT NULL CHECK (what_was_sent != ''),
    sent_to       TEXT NOT NULL CHECK (sent_to != ''),
    sent_at       TEXT NOT NULL,
    found_on      TEXT NOT NULL,
    actions_taken TEXT NOT NULL CHECK (actions_taken != ''),
    reported_by   TEXT NOT NULL,
    reported_at   TEXT NOT NULL
);
CREATE INDEX incidents_export ON incidents (export_seq);
CREATE TRIGGER incidents_are_not_changed BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'an incident report is not changed; report again'); END;
CREATE TRIGGER incidents_are_not_deleted BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'an incident report is not deleted'); END;
