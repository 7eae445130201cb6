-- Pictures waiting to be archived in the practice's PACS, and those sent.
--
-- One row per DICOM instance: a picture's SOP Instance UID is stable, so
-- queueing it again finds the same row, and a corrected picture (a new
-- instance) gets a row of its own. Filing never waits for the network:
-- it only adds rows; a sender works through the waiting ones and leaves
-- them waiting, with the reason, while the PACS cannot be reached.
CREATE TABLE pacs_queue (
    id               INTEGER PRIMARY KEY,
    image_id         INTEGER NOT NULL REFERENCES images (id),
    sop_instance_uid TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'waiting'
                     CHECK (state IN ('waiting', 'sent', 'refused')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    queued_by        TEXT NOT NULL,
    queued_at        TEXT NOT NULL,
    tried_at         TEXT,
    sent_at          TEXT
);
CREATE INDEX pacs_queue_state ON pacs_queue (state, id);
CREATE INDEX pacs_queue_image ON pacs_queue (image_id);
