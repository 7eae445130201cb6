-- The patient index, fed from the practice's clinical software.
CREATE TABLE patients (
    id            INTEGER PRIMARY KEY,
    record_number TEXT UNIQUE,
    family_name   TEXT NOT NULL,
    given_names   TEXT NOT NULL,
    birth_date    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
