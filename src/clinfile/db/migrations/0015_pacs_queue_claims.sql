-- A sender's claim on the queue rows it is sending.
--
-- Several processes may send from one vault at once; each first claims the
-- rows it will send (its own mark, until a time it keeps moving on while it
-- works), so no picture goes twice and every send is counted once. A sender
-- killed mid-way leaves its claim to lapse, and the rows are sent later.
ALTER TABLE pacs_queue ADD COLUMN claimed_by TEXT;
ALTER TABLE pacs_queue ADD COLUMN claimed_until TEXT;
