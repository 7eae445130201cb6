"""Rows of the audit trail. The chaining rules live in ``app.custody.audit``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from clinfile.db.connection import Connection


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


@dataclass(frozen=True)
class HeldPicture:
    """Rows about a picture written after ``since`` and up to ``until`` (ISO; empty: open)."""

    subjects: tuple[str, ...]
    since: str
    until: str

    def sql(self) -> tuple[str, tuple]:
        """The clause picking those rows, and its parameters."""
        marks = ", ".join("?" * len(self.subjects))
        clause = f"(subject IN ({marks}) AND at > ?" + (" AND at <= ?)" if self.until else ")")
        return clause, (*self.subjects, self.since, *((self.until,) if self.until else ()))


@dataclass(frozen=True)
class AuditWhere:
    """Which rows to pick; an empty part picks every row.

    Attributes:
        since: ISO time at or after which a row was written.
        before: ISO time before which a row was written.
        actor: who acted, exactly.
        action: what kind of act, exactly.
        subjects: the row is about one of these (e.g. ``patient 3``).
        patient_id: or names this patient in its details (moved from or to them too).
        held: or is about one of these pictures while it was the patient's.
    """

    since: str = ""
    before: str = ""
    actor: str = ""
    action: str = ""
    subjects: tuple[str, ...] = ()
    patient_id: int | None = None
    held: tuple[HeldPicture, ...] = ()

    def sql(self) -> tuple[str, tuple]:
        """Return the WHERE clause (empty when nothing is asked) and its parameters."""
        parts: list[str] = []
        params: list = []
        for column, op, value in (("at", ">=", self.since), ("at", "<", self.before),
                                  ("actor", "=", self.actor), ("action", "=", self.action)):
            if value:
                parts.append(f"{column} {op} ?")
                params.append(value)
        if self.patient_id is not None:
            marks = ", ".join("?" * len(self.subjects))
            about = [f"subject IN ({marks})"] if self.subjects else []
            params += self.subjects
            for held in self.held:
                clause, held_params = held.sql()
                about.append(clause)
                params += held_params
            about += [f"json_extract(detail, '$.{key}') = ?"
                      for key in ("patient_id", "from_patient_id", "to_patient_id")]
            parts.append(f"({' OR '.join(about)})")
            params += [self.patient_id] * 3
        return (" WHERE " + " AND ".join(parts) if parts else ""), tuple(params)


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

    def matching(self, where: AuditWhere, *, limit: int | None = None) -> list[AuditRow]:
        """Return the rows a filter picks, newest first, at most ``limit`` of them."""
        clause, params = where.sql()
        tail = " LIMIT ?" if limit is not None else ""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit{clause} ORDER BY seq DESC{tail}",
            (*params, *((limit,) if limit is not None else ())),
        )
        return [AuditRow(*row) for row in rows]

    def count_matching(self, where: AuditWhere) -> int:
        """Return how many rows a filter picks."""
        clause, params = where.sql()
        return self._conn.execute(f"SELECT count(*) FROM audit{clause}", params).fetchone()[0]

    def actors(self) -> list[str]:
        """Return everyone the trail names as having acted, in order."""
        return [r[0] for r in self._conn.execute(
            "SELECT DISTINCT actor FROM audit ORDER BY actor COLLATE NOCASE")]

    def actions(self) -> list[str]:
        """Return every kind of act the trail holds, in order."""
        return [r[0] for r in self._conn.execute(
            "SELECT DISTINCT action FROM audit ORDER BY action")]

    def rows(self, *, since: int = 0) -> Iterator[AuditRow]:
        """Yield rows oldest first."""
        for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq", (since,)
        ):
            yield AuditRow(*row)


@dataclass(frozen=True)
class SealRow:
    """One seal: the sealed row's number and hash, who sealed it, when, and the signature."""

    seq: int
    hash: str
    sealed_by: str
    sealed_at: str
    signature: str


class SealRepository:
    """SQL for the ``audit_seal`` table; seals are only ever added."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, seal: SealRow) -> None:
        """Store a seal; a second seal of the same row (two admins at once) is dropped."""
        self._conn.execute(
            "INSERT OR IGNORE INTO audit_seal (seq, hash, sealed_by, sealed_at, signature) "
            "VALUES (?, ?, ?, ?, ?)",
            (seal.seq, seal.hash, seal.sealed_by, seal.sealed_at, seal.signature),
        )

    def last(self) -> SealRow | None:
        """Return the newest seal, or None before the first."""
        row = self._conn.execute(
            "SELECT seq, hash, sealed_by, sealed_at, signature FROM audit_seal "
            "ORDER BY seq DESC LIMIT 1").fetchone()
        return SealRow(*row) if row else None

    def all(self) -> list[SealRow]:
        """Return every seal, oldest first."""
        return [SealRow(*row) for row in self._conn.execute(
            "SELECT seq, hash, sealed_by, sealed_at, signature FROM audit_seal ORDER BY seq")]
