-- A person may hold several roles (a solo GP is admin and clinician at once),
-- and has a full name, printed on consent forms and summaries.
CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'reception')),
    PRIMARY KEY (user_id, role)
);

INSERT INTO user_roles (user_id, role) SELECT id, role FROM users;

ALTER TABLE users DROP COLUMN role;

ALTER TABLE users ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
