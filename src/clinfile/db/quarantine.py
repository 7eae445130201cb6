"""Files refused at import, kept as records so they are not offered again unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class QuarantineRow:
    """A refused file: where it is, why, and how it looked when refused."""

    id: int
    source_path: str
    reason: str
    size: int | None
    mtime_ns: int | None
    quarantined_at: str


_COLUMNS = "id, source_path, reason, size, mtime_ns, quarantined_at"


class QuarantineRepository:
    """SQL for the ``quarantine`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def put(self, source_path: str, reason: str, size: int | None, mtime_ns: int | None,
            when: str) -> QuarantineRow:
        """Record (or re-record) a refused file."""
        self._conn.execute(
            "INSERT INTO quarantine (source_path, reason, size, mtime_ns, quarantined_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_path) DO UPDATE SET "
            "reason = excluded.reason, size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "quarantined_at = excluded.quarantined_at",
            (source_path, reason, size, mtime_ns, when),
        )
        found = self.by_path(source_path)
        assert found is not None
        return found

    def by_path(self, source_path: str) -> QuarantineRow | None:
        """Return the record for a path, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM quarantine WHERE source_path = ?", (source_path,)
        ).fetchone()
        return QuarantineRow(*row) if row else None

    def remove(self, source_path: str) -> None:
        """Forget a record (the file changed and was taken in after all)."""
        self._conn.execute("DELETE FROM quarantine WHERE source_path = ?", (source_path,))

    def all(self) -> list[QuarantineRow]:
        """Return every refused file, newest first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM quarantine ORDER BY quarantined_at DESC, id DESC"
        )
        return [QuarantineRow(*r) for r in rows]
