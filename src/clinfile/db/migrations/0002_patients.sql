-- The patient index, fed from the practice's clinical software.
--
-- Names are kept as the practice writes them; matching normalises them in
-- memory. Identifiers are kept as digits (Medicare, IHI) or upper case (DVA)
-- even when they fail their checks: such a patient carries a warning instead
-- of being refused, so reception sees the problem rather than losing the row.
CREATE TABLE patients (
    id              INTEGER PRIMARY KEY,
    record_number   TEXT UNIQUE,
    family_name     TEXT NOT NULL,
    given_names     TEXT NOT NULL DEFAULT '',
    preferred_name  TEXT NOT NULL DEFAULT '',
    previous_names  TEXT NOT NULL DEFAULT '',
    birth_date      TEXT,
    sex             TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    suburb          TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT '',
    postcode        TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    medicare_number TEXT NOT NULL DEFAULT '',
    medicare_irn    TEXT NOT NULL DEFAULT '',
    dva_number      TEXT NOT NULL DEFAULT '',
    ihi             TEXT NOT NULL DEFAULT '',
    warnings        TEXT NOT NULL DEFAULT '[]',
    source          TEXT NOT NULL DEFAULT 'manual',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX patients_ihi ON patients (ihi) WHERE ihi != '';
CREATE INDEX patients_medicare ON patients (medicare_number, medicare_irn)
    WHERE medicare_number != '';
CREATE INDEX patients_dva ON patients (dva_number) WHERE dva_number != '';
CREATE INDEX patients_name_dob ON patients (family_name COLLATE NOCASE,
                                            given_names COLLATE NOCASE, birth_date);

-- Column mappings a practice saved for its CSV exports, by name.
CREATE TABLE patient_csv_mappings (
    name     TEXT PRIMARY KEY COLLATE NOCASE,
    mapping  TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
