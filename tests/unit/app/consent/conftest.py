"""Rows the consent and filing tests need: patients and inbox images in a real vault.

Patients and images are written with plain SQL against the tables of the
patient index and the import pipeline, so these tests exercise filing and
consent on their own; the end-to-end tests take images in through the real
import pipeline.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

import pytest

from db.connection import transaction


@pytest.fixture
def add_patient(login) -> Callable[..., int]:
    """Add a patient to the test vault and return their id."""
    session = login("admin")

    def _add(family: str = "Nguyen", given: str = "Mai", born: str | None = "1990-06-05",
             record_number: str | None = None) -> int:
        with session.vault.index() as conn, transaction(conn):
            cur = conn.execute(
                "INSERT INTO patients (record_number, family_name, given_names, birth_date, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, '2026-01-01', '2026-01-01')",
                (record_number, family, given, born))
            return int(cur.lastrowid)

    return _add


@pytest.fixture
def add_inbox_image(login) -> Callable[..., int]:
    """Take a small made-up image into the test vault's inbox and return its id."""
    session = login("admin")

    def _add(captured_at: str | None = "2026-11-20T10:40:00") -> int:
        data = os.urandom(64)
        blobs = [session.vault.blobs.put_bytes(data + bytes([n])).id for n in range(3)]
        with session.vault.index() as conn, transaction(conn):
            cur = conn.execute(
                "INSERT INTO images (sha256, original_blob, derivative_blob, thumbnail_blob, "
                "size, format, source_kind, source_path, received_at, received_by, captured_at, "
                "width, height) VALUES (?, ?, ?, ?, 65, 'JPEG', 'manual', 'photo.jpg', "
                "'2026-11-21T08:05:00', 'reception', ?, 640, 480)",
                (hashlib.sha256(data).hexdigest(), *blobs, captured_at))
            return int(cur.lastrowid)

    return _add
