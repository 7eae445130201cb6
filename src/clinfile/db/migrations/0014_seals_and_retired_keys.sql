-- Seals of the audit trail, and master keys retired by a change of keys.
--
-- A seal is an admin's Ed25519 signature over one audit row's number and
-- hash; the key that signs is not derived from the master key, so whoever
-- can write the index still cannot forge one. Every seal is kept, newest
-- last; one seal covers every row up to the one it names.
CREATE TABLE audit_seal (
    seq       INTEGER PRIMARY KEY,
    hash      TEXT NOT NULL,
    sealed_by TEXT NOT NULL,
    sealed_at TEXT NOT NULL,
    signature TEXT NOT NULL
);

-- After the master key changes, image stores not yet re-keyed still need the
-- key they were written with; it is kept here, under the new key, until the
-- last of them is re-keyed, and then erased.
CREATE TABLE retired_key (
    epoch      INTEGER PRIMARY KEY,
    key        BLOB NOT NULL,
    retired_at TEXT NOT NULL
);
