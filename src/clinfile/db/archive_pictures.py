"""Pictures from the practice's PACS kept in the vault once viewed, as rows of the index."""

from __future__ import annotations

import json
from dataclasses import dataclass

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class KeptArchivePicture:
    """One archived picture kept here: where it is in the archive, its blob, what it shows."""

    sop_instance_uid: str
    patient_id: int
    study_instance_uid: str
    series_instance_uid: str
    blob: str
    sha256: str
    summary: dict
    fetched_by: str
    fetched_at: str


_COLUMNS = ("sop_instance_uid, patient_id, study_instance_uid, series_instance_uid, blob, "
            "sha256, summary, fetched_by, fetched_at")


class ArchivePictureRepository:
    """SQL for ``archive_pictures``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, picture: KeptArchivePicture) -> None:
        """Keep a picture (kept once: a second copy of the same instance is ignored)."""
        self._conn.execute(
            f"INSERT INTO archive_pictures ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(sop_instance_uid) DO NOTHING",
            (picture.sop_instance_uid, picture.patient_id, picture.study_instance_uid,
             picture.series_instance_uid, picture.blob, picture.sha256,
             json.dumps(picture.summary), picture.fetched_by, picture.fetched_at))

    def by_uid(self, sop_instance_uid: str) -> KeptArchivePicture | None:
        """Return a kept picture by its SOP Instance UID, or None."""
        rows = self._select("sop_instance_uid = ?", (sop_instance_uid,))
        return rows[0] if rows else None

    def for_patient(self, patient_id: int) -> list[KeptArchivePicture]:
        """Return the pictures kept for a patient, in the order they were fetched."""
        return self._select("patient_id = ? ORDER BY id", (patient_id,))

    def _select(self, where: str, params: tuple) -> list[KeptArchivePicture]:
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM archive_pictures WHERE {where}",
                                  params)
        return [KeptArchivePicture(*row[:6], json.loads(row[6]), *row[7:]) for row in rows]
