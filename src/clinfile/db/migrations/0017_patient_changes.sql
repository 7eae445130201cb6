-- Which patients changed, in the order they changed.
--
-- A session keeps its patient search (loaded or ready-made) for as long as it
-- is open, while another workstation or a `clinfile patients import` may
-- rename, add or edit patients. Every write to `patients` stamps the patient
-- with the next change number in the same transaction, so a session compares
-- the newest number with the one its search was built at and reads again only
-- the patients changed since.
CREATE TABLE patient_changes (
    patient_id  INTEGER PRIMARY KEY,
    change      INTEGER NOT NULL
);
CREATE INDEX patient_changes_order ON patient_changes (change);

CREATE TRIGGER patient_changes_added AFTER INSERT ON patients BEGIN
    INSERT OR REPLACE INTO patient_changes (patient_id, change)
        SELECT NEW.id, coalesce(max(change), 0) + 1 FROM patient_changes;
END;
CREATE TRIGGER patient_changes_changed AFTER UPDATE ON patients BEGIN
    INSERT OR REPLACE INTO patient_changes (patient_id, change)
        SELECT NEW.id, coalesce(max(change), 0) + 1 FROM patient_changes;
END;
CREATE TRIGGER patient_changes_removed AFTER DELETE ON patients BEGIN
    INSERT OR REPLACE INTO patient_changes (patient_id, change)
        SELECT OLD.id, coalesce(max(change), 0) + 1 FROM patient_changes;
END;
