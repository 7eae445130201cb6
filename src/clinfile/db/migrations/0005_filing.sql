-- Filing: which patient each image belongs to, why, on what consent, and every
-- correction since.
--
-- A filing is written once. Correcting it (wrong patient, wrong body site) adds
-- a row to filing_corrections with a reason; the image's current patient and
-- body site are its filing with the corrections applied in order, so both
-- patients' records can show a move. Images deleted when their retention
-- period ended keep their filing rows as a record that they existed.
CREATE TABLE episodes (
    id          INTEGER PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE filed_images (
    image_id         INTEGER PRIMARY KEY REFERENCES images (id),
    patient_id       INTEGER NOT NULL REFERENCES patients (id),
    episode_id       INTEGER NOT NULL REFERENCES episodes (id),
    kind             TEXT NOT NULL CHECK (kind IN ('clinical-photo', 'document', 'patient-sent',
                                                   'colleague-internal', 'colleague-external')),
    body_site        TEXT NOT NULL DEFAULT '',
    laterality       TEXT NOT NULL DEFAULT '' CHECK (laterality IN ('', 'left', 'right', 'both')),
    body_site_detail TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    clinical_purpose TEXT NOT NULL DEFAULT '',
    taken_by         TEXT NOT NULL DEFAULT '',
    taken_at         TEXT,
    secondary        INTEGER NOT NULL DEFAULT 0,
    consent_basis    TEXT NOT NULL CHECK (consent_basis IN ('recorded-consent', 'implied',
                                          'not-required', 'sender-holds-consent',
                                          'outside-colleague-note')),
    consent_id       INTEGER REFERENCES consents (id),
    sent_for         TEXT NOT NULL DEFAULT 'clinical-care',
    colleague        TEXT NOT NULL DEFAULT '',
    discussion_note  TEXT NOT NULL DEFAULT '',
    filed_by         TEXT NOT NULL,
    filed_at         TEXT NOT NULL,
    CHECK (consent_basis != 'recorded-consent' OR consent_id IS NOT NULL)
);
CREATE INDEX filed_images_patient ON filed_images (patient_id);
CREATE INDEX filed_images_episode ON filed_images (episode_id);

CREATE TABLE filing_corrections (
    id               INTEGER PRIMARY KEY,
    image_id         INTEGER NOT NULL REFERENCES filed_images (image_id),
    what             TEXT NOT NULL CHECK (what IN ('patient', 'body-site')),
    from_patient_id  INTEGER REFERENCES patients (id),
    to_patient_id    INTEGER REFERENCES patients (id),
    body_site        TEXT NOT NULL DEFAULT '',
    laterality       TEXT NOT NULL DEFAULT '',
    body_site_detail TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL CHECK (reason != ''),
    corrected_by     TEXT NOT NULL,
    corrected_at     TEXT NOT NULL
);
CREATE INDEX filing_corrections_image ON filing_corrections (image_id, id);
CREATE INDEX filing_corrections_from ON filing_corrections (from_patient_id);
CREATE INDEX filing_corrections_to ON filing_corrections (to_patient_id);

CREATE TABLE image_deletions (
    image_id       INTEGER PRIMARY KEY REFERENCES images (id),
    retention_date TEXT NOT NULL,
    reason         TEXT NOT NULL,
    deleted_by     TEXT NOT NULL,
    deleted_at     TEXT NOT NULL
);

CREATE TRIGGER episodes_are_not_changed BEFORE UPDATE ON episodes
BEGIN SELECT RAISE(ABORT, 'an episode is not changed once filed'); END;
CREATE TRIGGER episodes_are_not_deleted BEFORE DELETE ON episodes
BEGIN SELECT RAISE(ABORT, 'an episode is not deleted'); END;
CREATE TRIGGER filed_images_are_not_changed BEFORE UPDATE ON filed_images
BEGIN SELECT RAISE(ABORT, 'a filed image is not changed; record a correction'); END;
CREATE TRIGGER filed_images_are_not_deleted BEFORE DELETE ON filed_images
BEGIN SELECT RAISE(ABORT, 'a filed image is not unfiled; record a correction'); END;
CREATE TRIGGER filing_corrections_are_not_changed BEFORE UPDATE ON filing_corrections
BEGIN SELECT RAISE(ABORT, 'a correction is not changed; record another'); END;
CREATE TRIGGER filing_corrections_are_not_deleted BEFORE DELETE ON filing_corrections
BEGIN SELECT RAISE(ABORT, 'a correction is not deleted; record another'); END;
