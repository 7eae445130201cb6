"""Rows of privacy incident reports; each is written once and never changed."""

from __future__ import annotations

from dataclasses import dataclass, fields

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class IncidentRow:
    """One reported incident, as stored."""

    id: int
    export_seq: int | None
    patient_id: int | None
    what_was_sent: str
    sent_to: str
    sent_at: str
    found_on: str
    actions_taken: str
    reported_by: str
    reported_at: str


_COLUMNS = ", ".join(f.name for f in fields(IncidentRow))


class IncidentRepository:
    """SQL for the ``incidents`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, row: IncidentRow) -> IncidentRow:
        """Insert a report (its ``id`` is ignored) and return it with the id given."""
        values = [getattr(row, f.name) for f in fields(IncidentRow)][1:]
        cur = self._conn.execute(
            f"INSERT INTO incidents ({_COLUMNS.removeprefix('id, ')}) "
            f"VALUES ({', '.join('?' * len(values))})", values)
        return self.by_id(int(cur.lastrowid))

    def by_id(self, incident_id: int) -> IncidentRow | None:
        """Return one report, or None."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE id = ?",
                                 (incident_id,)).fetchone()
        return IncidentRow(*row) if row else None

    def all(self) -> list[IncidentRow]:
        """Return every report, newest first."""
        return [IncidentRow(*row) for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM incidents ORDER BY id DESC")]
