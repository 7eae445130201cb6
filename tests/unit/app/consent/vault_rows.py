"""Patients and inbox images written straight into a vault's tables, for tests.

They use plain SQL against the tables of the patient index and the import
pipeline, so the consent and filing tests do not depend on how those grow.
"""

from __future__ import annotations

import hashlib
import os

from clinfile.app.vault.vault import Vault
from clinfile.db.connection import transaction


def add_patient(vault: Vault, family: str = "Nguyen", given: str = "Mai",
                born: str | None = "1990-06-05", record_number: str | None = None) -> int:
    """Add a patient and return their id."""
    with vault.index() as conn, transaction(conn):
        cur = conn.execute(
            "INSERT INTO patients (record_number, family_name, given_names, birth_date, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, '2026-01-01', '2026-01-01')",
            (record_number, family, given, born))
        return int(cur.lastrowid)


def add_inbox_image(vault: Vault, captured_at: str | None = "2026-11-20T10:40:00") -> int:
    """Store three small made-up blobs as an unfiled image and return its id."""
    data = os.urandom(64)
    blobs = [vault.blobs.put_bytes(data + bytes([n])).id for n in range(3)]
    with vault.index() as conn, transaction(conn):
        cur = conn.execute(
            "INSERT INTO images (sha256, original_blob, derivative_blob, thumbnail_blob, "
            "size, format, source_kind, source_path, received_at, received_by, captured_at, "
            "width, height) VALUES (?, ?, ?, ?, 65, 'JPEG', 'manual', 'photo.jpg', "
            "'2026-11-21T08:05:00', 'reception', ?, 640, 480)",
            (hashlib.sha256(data).hexdigest(), *blobs, captured_at))
        return int(cur.lastrowid)


def add_photo(vault, jpeg: bytes, n: int) -> int:
    """Store a real JPEG (a comment byte apart) as an inbox image and return its id."""
    comment = f"photo {n}".encode()
    data = jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]
    blob = vault.blobs.put_bytes(data).id
    with vault.index() as conn, transaction(conn):
        return int(conn.execute(
            "INSERT INTO images (sha256, original_blob, derivative_blob, thumbnail_blob, size, "
            "format, source_kind, source_path, received_at, received_by, width, height) "
            "VALUES (?, ?, ?, ?, ?, 'JPEG', 'manual', 'photo.jpg', '2026-11-21T08:05:00', "
            "'reception', 640, 480)",
            (hashlib.sha256(data).hexdigest(), blob, blob, blob, len(data))).lastrowid)
