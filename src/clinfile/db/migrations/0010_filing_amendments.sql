-- Corrections of a filing's kind, description and physical scale, beside moves
-- and body sites.
--
-- A picture filed as sent by the patient that a clinician took, a description
-- with a typing slip, a ruler in the picture that says how many pixels make a
-- millimetre: each is corrected by a new row with a reason, as a move is, so
-- nothing filed is ever rewritten. SQLite cannot widen a CHECK in place, so
-- the table is made anew with its rows, indexes and guards.
CREATE TABLE filing_corrections_new (
    id               INTEGER PRIMARY KEY,
    image_id         INTEGER NOT NULL REFERENCES filed_images (image_id),
    what             TEXT NOT NULL CHECK (what IN ('patient', 'body-site', 'kind',
                                                   'description', 'scale')),
    from_patient_id  INTEGER REFERENCES patients (id),
    to_patient_id    INTEGER REFERENCES patients (id),
    body_site        TEXT NOT NULL DEFAULT '',
    laterality       TEXT NOT NULL DEFAULT '',
    body_site_detail TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL CHECK (reason != ''),
    corrected_by     TEXT NOT NULL,
    corrected_at     TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'clinical-photo', 'document',
                                                              'patient-sent',
                                                              'colleague-internal',
                                                              'colleague-external')),
    description      TEXT NOT NULL DEFAULT '',
    pixels_per_mm    REAL CHECK (pixels_per_mm IS NULL OR pixels_per_mm > 0)
);
INSERT INTO filing_corrections_new (id, image_id, what, from_patient_id, to_patient_id,
                                    body_site, laterality, body_site_detail, reason,
                                    corrected_by, corrected_at)
    SELECT id, image_id, what, from_patient_id, to_patient_id, body_site, laterality,
           body_site_detail, reason, corrected_by, corrected_at FROM filing_corrections;
DROP TABLE filing_corrections;
ALTER TABLE filing_corrections_new RENAME TO filing_corrections;
CREATE INDEX filing_corrections_image ON filing_corrections (image_id, id);
CREATE INDEX filing_corrections_from ON filing_corrections (from_patient_id, corrected_at);
CREATE INDEX filing_corrections_to ON filing_corrections (to_patient_id, corrected_at);
CREATE TRIGGER filing_corrections_are_not_changed BEFORE UPDATE ON filing_corrections
BEGIN SELECT RAISE(ABORT, 'a correction is not changed; record another'); END;
CREATE TRIGGER filing_corrections_are_not_deleted BEFORE DELETE ON filing_corrections
BEGIN SELECT RAISE(ABORT, 'a correction is not deleted; record another'); END;
