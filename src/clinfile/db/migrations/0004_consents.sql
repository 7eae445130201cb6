-- Consents the patients gave, their withdrawals, and every use made of an image.
--
-- A consent is never edited: the one change allowed is attaching the signed
-- form to a written consent that was printed before it was signed. Taking a
-- purpose back is a new withdrawal row, so the record shows what the patient
-- agreed to and when they changed their mind.
CREATE TABLE consents (
    id                      INTEGER PRIMARY KEY,
    patient_id              INTEGER NOT NULL REFERENCES patients (id),
    code                    TEXT NOT NULL UNIQUE,
    method                  TEXT NOT NULL
                            CHECK (method IN ('verbal', 'written', 'implied', 'not-required')),
    purposes                TEXT NOT NULL,
    recipients              TEXT NOT NULL,
    images                  TEXT NOT NULL DEFAULT '[]',
    decided_by_name         TEXT NOT NULL DEFAULT '',
    decided_by_relationship TEXT NOT NULL DEFAULT '',
    told_why                INTEGER NOT NULL DEFAULT 0,
    told_how_used           INTEGER NOT NULL DEFAULT 0,
    told_who_sees           INTEGER NOT NULL DEFAULT 0,
    interpreter             TEXT NOT NULL DEFAULT '',
    obtained_by             TEXT NOT NULL,
    obtained_on             TEXT NOT NULL,
    expires_on              TEXT,
    signed_form_blob        TEXT,
    note                    TEXT NOT NULL DEFAULT '',
    recorded_by             TEXT NOT NULL,
    recorded_at             TEXT NOT NULL
);
CREATE INDEX consents_patient ON consents (patient_id);

CREATE TRIGGER consents_are_not_edited
BEFORE UPDATE OF id, patient_id, code, method, purposes, recipients, images, decided_by_name,
    decided_by_relationship, told_why, told_how_used, told_who_sees, interpreter, obtained_by,
    obtained_on, expires_on, note, recorded_by, recorded_at ON consents
BEGIN
    SELECT RAISE(ABORT, 'a consent is not edited; record a new one or a withdrawal');
END;

CREATE TRIGGER consents_signed_form_once
BEFORE UPDATE OF signed_form_blob ON consents
WHEN OLD.signed_form_blob IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'this consent already has its signed form');
END;

CREATE TRIGGER consents_are_not_deleted
BEFORE DELETE ON consents
BEGIN
    SELECT RAISE(ABORT, 'a consent is never deleted; record a withdrawal');
END;

CREATE TABLE consent_withdrawals (
    id           INTEGER PRIMARY KEY,
    consent_id   INTEGER NOT NULL REFERENCES consents (id),
    purposes     TEXT NOT NULL,
    withdrawn_on TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX consent_withdrawals_consent ON consent_withdrawals (consent_id);

-- Every export, print, share or PACS send the consent rules allowed, so that a
-- withdrawal can list what already left and the practice can act on it.
CREATE TABLE image_uses (
    id         INTEGER PRIMARY KEY,
    image_id   INTEGER NOT NULL REFERENCES images (id),
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    purpose    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    consent_id INTEGER REFERENCES consents (id),
    used_by    TEXT NOT NULL,
    used_at    TEXT NOT NULL
);
CREATE INDEX image_uses_patient ON image_uses (patient_id, purpose);
