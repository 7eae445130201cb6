"""Filed images, episodes and the corrections made to filings, as rows of the index.

A filing is written once and never changed (the tables refuse updates);
a correction is a new row, and an image's current patient and body site are
its filing with its corrections applied in order. This module also reads
the few patient and inbox facts filing needs, by table name, so it stays
independent of how the patient index and the import pipeline grow.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass, fields

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class PatientSummary:
    """The patient facts filing and retention need."""

    id: int
    record_number: str | None
    family_name: str
    given_names: str
    birth_date: str | None


@dataclass(frozen=True)
class InboxItem:
    """An image taken into custody, as filing sees it."""

    id: int
    status: str
    captured_at: str | None
    received_at: str
    blobs: tuple[str, ...]
    source_kind: str = ""


class PatientLookup:
    """Read-only access to the ``patients`` table for filing."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def by_id(self, patient_id: int) -> PatientSummary | None:
        """Return a patient by id, or None."""
        return self._one("id = ?", (patient_id,))

    def by_record_number(self, record_number: str) -> PatientSummary | None:
        """Return a patient by the practice's record number, or None."""
        return self._one("record_number = ?", (record_number,))

    def by_record_number_any_case(self, record_number: str) -> list[PatientSummary]:
        """Return the patients whose record number is this one in any letter case."""
        rows = self._conn.execute(
            "SELECT id, record_number, family_name, given_names, birth_date FROM patients "
            "WHERE record_number = ? COLLATE NOCASE ORDER BY id", (record_number,)).fetchall()
        return [PatientSummary(*row) for row in rows]

    def _one(self, where: str, params: tuple) -> PatientSummary | None:
        row = self._conn.execute(
            "SELECT id, record_number, family_name, given_names, birth_date FROM patients "
            f"WHERE {where}", params,
        ).fetchone()
        return PatientSummary(*row) if row else None


class InboxLookup:
    """Read and mark the import pipeline's ``images`` rows as filing needs."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def by_id(self, image_id: int) -> InboxItem | None:
        """Return an image taken into custody, filed or not, or None."""
        row = self._conn.execute(
            "SELECT id, status, captured_at, received_at, original_blob, derivative_blob, "
            "thumbnail_blob, source_kind FROM images WHERE id = ?", (image_id,),
        ).fetchone()
        return InboxItem(row[0], row[1], row[2], row[3], tuple(row[4:7]), row[7]) if row else None

    def set_status(self, image_id: int, status: str) -> None:
        """Mark an image ``filed`` (it leaves the inbox) or ``deleted`` (its bytes are gone)."""
        self._conn.execute("UPDATE images SET status = ? WHERE id = ?", (status, image_id))


@dataclass(frozen=True)
class FilingRow:
    """One image's filing as written when it was filed; never changed afterwards."""

    image_id: int
    patient_id: int
    episode_id: int
    kind: str
    body_site: str
    laterality: str
    body_site_detail: str
    description: str
    clinical_purpose: str
    taken_by: str
    taken_at: str | None
    secondary: bool
    consent_basis: str
    consent_id: int | None
    sent_for: str
    colleague: str
    discussion_note: str
    filed_by: str
    filed_at: str


@dataclass(frozen=True)
class CorrectionRow:
    """One correction of a filing: a move, or a new body site, kind, description or scale.

    ``what`` says which (``patient``, ``body-site``, ``kind``, ``description``,
    ``scale``); the fields of the other corrections stay empty.
    """

    id: int
    image_id: int
    what: str
    from_patient_id: int | None
    to_patient_id: int | None
    body_site: str
    laterality: str
    body_site_detail: str
    reason: str
    corrected_by: str
    corrected_at: str
    kind: str = ""
    description: str = ""
    pixels_per_mm: float | None = None


@dataclass(frozen=True)
class DeletionRow:
    """An image whose bytes were deleted when its retention period ended."""

    image_id: int
    retention_date: str
    reason: str
    deleted_by: str
    deleted_at: str


_FILING_COLUMNS = [f.name for f in fields(FilingRow)]
_CORRECTION_COLUMNS = ", ".join(f.name for f in fields(CorrectionRow))


class FilingRepository:
    """SQL for ``episodes``, ``filed_images``, ``filing_corrections`` and ``image_deletions``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_episode(self, description: str, created_by: str, created_at: str) -> int:
        """Start an episode (one wound, one visit) and return its id."""
        cur = self._conn.execute(
            "INSERT INTO episodes (description, created_by, created_at) VALUES (?, ?, ?)",
            (description, created_by, created_at),
        )
        return int(cur.lastrowid)

    def episode_description(self, episode_id: int) -> str:
        """Return what an episode was described as."""
        row = self._conn.execute("SELECT description FROM episodes WHERE id = ?", (episode_id,))
        return row.fetchone()[0]

    def add(self, filing: FilingRow) -> FilingRow:
        """Write one filing; it is never changed afterwards."""
        values = [int(v) if isinstance(v, bool) else v for v in astuple(filing)]
        self._conn.execute(
            f"INSERT INTO filed_images ({', '.join(_FILING_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(values))})", values,
        )
        return self.filing(filing.image_id)

    def filing(self, image_id: int) -> FilingRow | None:
        """Return an image's filing as first written, or None if it was never filed."""
        row = self._conn.execute(
            f"SELECT {', '.join(_FILING_COLUMNS)} FROM filed_images WHERE image_id = ?",
            (image_id,),
        ).fetchone()
        return _to_filing(row) if row else None

    def filings_touching(self, patient_id: int) -> list[FilingRow]:
        """Return every filing first made to this patient or moved to or from them."""
        rows = self._conn.execute(
            f"SELECT {', '.join(_FILING_COLUMNS)} FROM filed_images WHERE patient_id = ? "
            "OR image_id IN (SELECT image_id FROM filing_corrections "
            "WHERE from_patient_id = ? OR to_patient_id = ?) ORDER BY filed_at, image_id",
            (patient_id, patient_id, patient_id),
        )
        return [_to_filing(r) for r in rows]

    def all_filings(self) -> list[FilingRow]:
        """Return every filing, oldest first."""
        rows = self._conn.execute(
            f"SELECT {', '.join(_FILING_COLUMNS)} FROM filed_images ORDER BY filed_at, image_id"
        )
        return [_to_filing(r) for r in rows]

    def add_correction(self, image_id: int, what: str, *, reason: str, corrected_by: str,
                       corrected_at: str, from_patient_id: int | None = None,
                       to_patient_id: int | None = None, body_site: str = "",
                       laterality: str = "", body_site_detail: str = "", kind: str = "",
                       description: str = "", pixels_per_mm: float | None = None
                       ) -> CorrectionRow:
        """Record a correction of a filing."""
        cur = self._conn.execute(
            "INSERT INTO filing_corrections (image_id, what, from_patient_id, to_patient_id, "
            "body_site, laterality, body_site_detail, reason, corrected_by, corrected_at, "
            "kind, description, pixels_per_mm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (image_id, what, from_patient_id, to_patient_id, body_site, laterality,
             body_site_detail, reason, corrected_by, corrected_at, kind, description,
             pixels_per_mm),
        )
        row = self._conn.execute(
            f"SELECT {_CORRECTION_COLUMNS} FROM filing_corrections WHERE id = ?",
            (cur.lastrowid,),
        ).fetchone()
        return CorrectionRow(*row)

    def corrections(self, image_id: int) -> list[CorrectionRow]:
        """Return an image's corrections in the order they were made."""
        rows = self._conn.execute(
            f"SELECT {_CORRECTION_COLUMNS} FROM filing_corrections WHERE image_id = ? "
            "ORDER BY id", (image_id,),
        )
        return [CorrectionRow(*r) for r in rows]

    def add_deletion(self, deletion: DeletionRow) -> None:
        """Record that an image's bytes are deleted."""
        self._conn.execute(
            "INSERT INTO image_deletions (image_id, retention_date, reason, deleted_by, "
            "deleted_at) VALUES (?, ?, ?, ?, ?)", astuple(deletion),
        )

    def kept_holders(self, image_ids: list[int] | None = None) -> list[tuple[int, int]]:
        """Return (image, patient now holding it) for kept filed images, all or those asked.

        The holder is the patient the last move took the image to, or the one
        it was filed to; an image whose bytes were deleted is left out.
        """
        wanted = "" if image_ids is None else "AND f.image_id IN (SELECT value FROM json_each(?))"
        rows = self._conn.execute(
            "SELECT f.image_id, COALESCE((SELECT c.to_patient_id FROM filing_corrections c "
            "WHERE c.image_id = f.image_id AND c.what = 'patient' ORDER BY c.id DESC LIMIT 1), "
            "f.patient_id) FROM filed_images f WHERE NOT EXISTS (SELECT 1 FROM image_deletions "
            f"d WHERE d.image_id = f.image_id) {wanted} ORDER BY f.image_id",
            () if image_ids is None else (json.dumps(image_ids),),
        )
        return [(int(image_id), int(patient_id)) for image_id, patient_id in rows]

    def last_entry_at(self, patient_id: int) -> str | None:
        """Return when a patient's record last had an entry, or None if it never had one.

        An entry is a filing to the patient, a move into or out of their
        record, or a body-site correction of an image they held at the time.
        Stamps are all written as UTC ISO text, so the latest text is the
        latest time; the first three come straight from the indexes that end
        in the time, the last only looks at images the patient ever held.
        """
        row = self._conn.execute(
            "SELECT MAX(at) FROM ("
            " SELECT MAX(filed_at) AS at FROM filed_images WHERE patient_id = :p"
            " UNION ALL SELECT MAX(corrected_at) FROM filing_corrections"
            "  WHERE from_patient_id = :p"
            " UNION ALL SELECT MAX(corrected_at) FROM filing_corrections WHERE to_patient_id = :p"
            " UNION ALL SELECT MAX(c.corrected_at) FROM filing_corrections c"
            "  WHERE c.what = 'body-site' AND c.image_id IN ("
            "   SELECT image_id FROM filed_images WHERE patient_id = :p"
            "   UNION SELECT image_id FROM filing_corrections WHERE to_patient_id = :p)"
            "  AND :p = COALESCE((SELECT m.to_patient_id FROM filing_corrections m"
            "   WHERE m.image_id = c.image_id AND m.what = 'patient' AND m.id < c.id"
            "   ORDER BY m.id DESC LIMIT 1),"
            "   (SELECT f.patient_id FROM filed_images f WHERE f.image_id = c.image_id)))",
            {"p": patient_id},
        ).fetchone()
        return row[0]

    def deletion(self, image_id: int) -> DeletionRow | None:
        """Return the record of an image's deletion, or None while it is kept."""
        row = self._conn.execute(
            "SELECT image_id, retention_date, reason, deleted_by, deleted_at "
            "FROM image_deletions WHERE image_id = ?", (image_id,),
        ).fetchone()
        return DeletionRow(*row) if row else None


def _to_filing(row: tuple) -> FilingRow:
    values = dict(zip(_FILING_COLUMNS, row, strict=True))
    values["secondary"] = bool(values["secondary"])
    return FilingRow(**values)
