"""Rows of the audit trail. The chaining rules live in ``app.security.audit``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from db.connection import Connection


@dataclass(frozen=True)
class AuditRow:
    """One recorded act."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


_COLUMNS = "seq, at, actor, action, subject, detail, prev_hash, hash"


class AuditRepository:
    """SQL for the ``audit`` table; rows are only ever appended."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def last(self) -> AuditRow | None:
        """Return the newest row, or None for an empty trail."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return AuditRow(*row) if row else None

    def append(self, row: AuditRow) -> None:
        """Insert a fully formed row."""
        self._conn.execute(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.seq, row.at, row.actor, row.action, row.subject, row.detail,
             row.prev_hash, row.hash),
        )

    def at_seq(self, seq: int) -> AuditRow | None:
        """Return the row with this sequence number."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM audit WHERE seq = ?", (seq,)).fetchone()
        return AuditRow(*row) if row else None

    def of_actions_since(self, at: str, actions: tuple[str, ...]) -> Iterator[AuditRow]:
        """Yield the rows of these actions written at or after ``at`` (ISO time), oldest first."""
        marks = ", ".join("?" * len(actions))
        for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit WHERE at >= ? AND action IN ({marks}) ORDER BY seq",
            (at, *actions),
        ):
            yield AuditRow(*row)

    def rows(self, *, since: int = 0) -> Iterator[AuditRow]:
        """Yield rows oldest first."""
        for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq", (since,)
        ):
            yield AuditRow(*row)
