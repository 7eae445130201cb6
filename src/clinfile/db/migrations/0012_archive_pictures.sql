-- Pictures other workstations archived in the practice's PACS, kept here once viewed.
--
-- Read-only copies: the DICOM object as the archive sent it, in a blob, with
-- what the record shows about it. They are never filed, corrected or sent
-- on; the archive holds the original.
CREATE TABLE archive_pictures (
    id                  INTEGER PRIMARY KEY,
    sop_instance_uid    TEXT NOT NULL UNIQUE,
    patient_id          INTEGER NOT NULL REFERENCES patients (id),
    study_instance_uid  TEXT NOT NULL,
    series_instance_uid TEXT NOT NULL,
    blob                TEXT NOT NULL,
    sha256              TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '{}',
    fetched_by          TEXT NOT NULL,
    fetched_at          TEXT NOT NULL
);
CREATE INDEX archive_pictures_patient ON archive_pictures (patient_id);
