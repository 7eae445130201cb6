-- The patient search, ready-made in the vault.
--
-- Searching normalises every name into tokens; done for a whole practice at
-- the first search of a session, that took seconds. Here each patient's
-- tokens are kept as matching normalises them, every token lists its
-- patients, and the vocabulary counts them and keeps how each sounds, so a search reads only the
-- tokens and patients it needs. Normalising is the application's, so the
-- triggers below only note which patients changed; the application brings
-- them up to date before it searches. Every patient already held is noted.
CREATE TABLE patient_search_names (
    patient_id  INTEGER PRIMARY KEY REFERENCES patients (id),
    family      TEXT NOT NULL,
    given       TEXT NOT NULL,
    preferred   TEXT NOT NULL,
    previous    TEXT NOT NULL,
    birth_date  TEXT,
    record      TEXT NOT NULL,
    day_month   TEXT NOT NULL
);
CREATE INDEX patient_search_names_record ON patient_search_names (record) WHERE record != '';
CREATE INDEX patient_search_names_day_month ON patient_search_names (day_month)
    WHERE day_month != '';

CREATE TABLE patient_name_tokens (
    token       TEXT NOT NULL,
    patient_id  INTEGER NOT NULL,
    PRIMARY KEY (token, patient_id)
) WITHOUT ROWID;

CREATE TABLE patient_vocabulary (
    token       TEXT PRIMARY KEY,
    patients    INTEGER NOT NULL,
    sound       TEXT
) WITHOUT ROWID;

CREATE TABLE patient_search_stale (
    patient_id  INTEGER PRIMARY KEY
);

CREATE INDEX patients_birth_date ON patients (birth_date) WHERE birth_date IS NOT NULL;

CREATE TRIGGER patient_search_added AFTER INSERT ON patients BEGIN
    INSERT OR IGNORE INTO patient_search_stale (patient_id) VALUES (NEW.id);
END;
CREATE TRIGGER patient_search_changed AFTER UPDATE ON patients BEGIN
    INSERT OR IGNORE INTO patient_search_stale (patient_id) VALUES (NEW.id);
END;
CREATE TRIGGER patient_search_removed AFTER DELETE ON patients BEGIN
    INSERT OR IGNORE INTO patient_search_stale (patient_id) VALUES (OLD.id);
END;
CREATE TRIGGER patient_vocabulary_added AFTER INSERT ON patient_name_tokens BEGIN
    INSERT INTO patient_vocabulary (token, patients) VALUES (NEW.token, 1)
        ON CONFLICT (token) DO UPDATE SET patients = patients + 1;
END;
CREATE TRIGGER patient_vocabulary_removed AFTER DELETE ON patient_name_tokens BEGIN
    UPDATE patient_vocabulary SET patients = patients - 1 WHERE token = OLD.token;
    DELETE FROM patient_vocabulary WHERE token = OLD.token AND patients = 0;
END;

INSERT INTO patient_search_stale (patient_id) SELECT id FROM patients;
