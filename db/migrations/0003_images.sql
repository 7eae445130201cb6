-- Images taken into custody: the inbox of unfiled items and what was refused.
CREATE TABLE images (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    original    TEXT NOT NULL,
    received_at TEXT NOT NULL
);
