"""What a patient's photo record reads from the index, a few queries for hundreds of pictures.

The filing repository answers one image at a time, which is right for
filing and correcting one; a record of five hundred pictures would make
fifteen hundred queries that way. These read every filing, correction,
deletion and image fact of a set of images at once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields

from clinfile.db.connection import Connection
from clinfile.db.filing import CorrectionRow, FilingRow, _to_filing
from clinfile.db.incidents import IncidentRow

_FILING_COLUMNS = ", ".join(f"f.{f.name}" for f in fields(FilingRow))
_CORRECTION_COLUMNS = ", ".join(f.name for f in fields(CorrectionRow))
_INCIDENT_COLUMNS = ", ".join(f.name for f in fields(IncidentRow))
_IDS = "(SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class PictureFacts:
    """What the import recorded about one filed picture: where it came from, its size."""

    image_id: int
    source_kind: str
    source_path: str
    received_at: str
    captured_at: str | None
    camera_make: str | None
    camera_model: str | None
    width: int
    height: int
    thumbnail_blob: str
    derivative_blob: str


@dataclass(frozen=True)
class FilingOnDay:
    """One picture filed on a day: when, by whom, to whom, as recorded in the audit trail."""

    at: str
    actor: str
    image_id: int
    patient_id: int
    workstation: str


class RecordQueries:
    """Bulk reads for the photo record, today's filings and the search of earlier filings."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def written(self, patient_id: int) -> tuple[int, ...]:
        """Numbers that move whenever something this patient's record shows is written.

        Filings, corrections, deletions, consents and their withdrawals,
        exports (in the audit trail) and incidents are only ever added, never
        changed or removed, so how many there are, or the newest, moves with
        every write; a change to the patient's own details moves their
        number in ``patient_changes``. Filings count only this patient's;
        the others are watched for the whole vault, since a correction or a
        deletion names pictures, not patients; a change elsewhere in the vault
        costs one needless reading of the record, never a missed one. Each is
        a look along an index or a count of a short table: cheap enough to ask
        every few seconds.
        """
        return tuple(self._conn.execute(
            "SELECT (SELECT count(*) FROM filed_images WHERE patient_id = :patient), "
            "(SELECT coalesce(max(id), 0) FROM filing_corrections), "
            "(SELECT count(*) FROM image_deletions), "
            "(SELECT coalesce(max(id), 0) FROM consents WHERE patient_id = :patient), "
            "(SELECT coalesce(max(id), 0) FROM consent_withdrawals), "
            "(SELECT coalesce(max(seq), 0) FROM audit WHERE action = 'images.exported'), "
            "(SELECT coalesce(max(id), 0) FROM incidents), "
            "(SELECT coalesce(max(change), 0) FROM patient_changes WHERE patient_id = :patient)",
            {"patient": patient_id}).fetchone())

    def filings_touching(self, patient_id: int) -> list[FilingRow]:
        """Every filing first made to this patient or moved to or from them."""
        rows = self._conn.execute(
            f"SELECT {_FILING_COLUMNS} FROM filed_images f WHERE f.patient_id = ? UNION "
            f"SELECT {_FILING_COLUMNS} FROM filed_images f WHERE f.image_id IN ("
            "SELECT image_id FROM filing_corrections WHERE from_patient_id = ? "
            "UNION SELECT image_id FROM filing_corrections WHERE to_patient_id = ?)",
            (patient_id, patient_id, patient_id))
        return [_to_filing(r) for r in rows]

    def filings(self, image_ids: Iterable[int]) -> list[FilingRow]:
        """The filings of these images (those never filed are left out)."""
        rows = self._conn.execute(
            f"SELECT {_FILING_COLUMNS} FROM filed_images f WHERE f.image_id IN {_IDS}",
            (_json(image_ids),))
        return [_to_filing(r) for r in rows]

    def filings_between(self, since: str, before: str) -> list[FilingRow]:
        """Filings made at or after ``since`` and before ``before`` (ISO times, UTC)."""
        rows = self._conn.execute(
            f"SELECT {_FILING_COLUMNS} FROM filed_images f WHERE f.filed_at >= ? "
            "AND f.filed_at < ?", (since, before))
        return [_to_filing(r) for r in rows]

    def all_filings(self) -> list[FilingRow]:
        """Every filing; the search of earlier filings narrows them once corrected."""
        rows = self._conn.execute(f"SELECT {_FILING_COLUMNS} FROM filed_images f")
        return [_to_filing(r) for r in rows]

    def corrections(self, image_ids: Iterable[int]) -> dict[int, list[CorrectionRow]]:
        """Each image's corrections in the order they were made."""
        found: dict[int, list[CorrectionRow]] = defaultdict(list)
        for row in self._conn.execute(
                f"SELECT {_CORRECTION_COLUMNS} FROM filing_corrections "
                f"WHERE image_id IN {_IDS} ORDER BY id", (_json(image_ids),)):
            correction = CorrectionRow(*row)
            found[correction.image_id].append(correction)
        return found

    def deleted(self, image_ids: Iterable[int]) -> dict[int, str]:
        """Which of these images had their bytes deleted at the end of retention, and when."""
        return dict(self._conn.execute(
            f"SELECT image_id, deleted_at FROM image_deletions WHERE image_id IN {_IDS}",
            (_json(image_ids),)))

    def facts(self, image_ids: Iterable[int]) -> dict[int, PictureFacts]:
        """What the import recorded about each image."""
        names = ", ".join(f.name if f.name != "image_id" else "id" for f in fields(PictureFacts))
        return {r[0]: PictureFacts(*r) for r in self._conn.execute(
            f"SELECT {names} FROM images WHERE id IN {_IDS}", (_json(image_ids),))}

    def episodes(self, episode_ids: Iterable[int]) -> dict[int, str]:
        """What each episode was described as."""
        return dict(self._conn.execute(
            f"SELECT id, description FROM episodes WHERE id IN {_IDS}", (_json(episode_ids),)))

    def patient_names(self, patient_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
        """Each patient's family name, given names and record number, to name them."""
        return {pid: (family or "", given or "", record or "")
                for pid, family, given, record in self._conn.execute(
                    "SELECT id, family_name, given_names, record_number FROM patients "
                    f"WHERE id IN {_IDS}", (_json(patient_ids),))}

    def people(self) -> dict[str, str]:
        """Each user's full name by their user name, for those who gave one."""
        return {name: full for name, full in self._conn.execute(
            "SELECT name, full_name FROM users WHERE full_name != ''")}

    def exports(self, image_ids: Iterable[int]) -> dict[int, list[tuple[int, str, str, dict]]]:
        """Each image's exports, from the audit trail: the entry, when, by whom, the details."""
        wanted = set(image_ids)
        found: dict[int, list[tuple[int, str, str, dict]]] = defaultdict(list)
        for seq, at, actor, detail in self._conn.execute(
                "SELECT seq, at, actor, detail FROM audit WHERE action = 'images.exported' "
                "ORDER BY seq"):
            details = json.loads(detail)
            for image_id in details.get("images", ()):
                if image_id in wanted:
                    found[image_id].append((seq, at, actor, details))
        return found

    def incidents(self, export_seqs: Iterable[int]) -> dict[int, list[IncidentRow]]:
        """The incidents reported about each of these exports (by audit entry), oldest first."""
        found: dict[int, list[IncidentRow]] = defaultdict(list)
        for row in self._conn.execute(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE export_seq IN {_IDS} "
                "ORDER BY id", (json.dumps(sorted(set(export_seqs))),)):
            incident = IncidentRow(*row)
            found[incident.export_seq].append(incident)
        return found

    def filed_events(self, since: str) -> list[FilingOnDay]:
        """Every picture filed at or after ``since`` (ISO time, UTC), from the audit trail."""
        events = []
        for at, actor, subject, detail in self._conn.execute(
                "SELECT at, actor, subject, detail FROM audit WHERE action = 'image.filed' "
                "AND at >= ? ORDER BY seq", (since,)):
            details = json.loads(detail)
            image_id = int(subject.removeprefix("image "))
            events.append(FilingOnDay(at, actor, image_id, int(details["patient_id"]),
                                      str(details.get("workstation", ""))))
        return events


def _json(ids: Iterable[int]) -> str:
    return json.dumps(sorted(set(ids)))
