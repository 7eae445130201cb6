"""The queue of pictures to archive in the practice's PACS, as rows of the index."""

from __future__ import annotations

from dataclasses import dataclass

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class QueuedInstance:
    """One DICOM instance waiting for, sent to, or refused by the archive."""

    id: int
    image_id: int
    sop_instance_uid: str
    state: str
    attempts: int
    last_error: str
    queued_by: str
    queued_at: str
    tried_at: str | None
    sent_at: str | None


_COLUMNS = ("id, image_id, sop_instance_uid, state, attempts, last_error, queued_by, "
            "queued_at, tried_at, sent_at")


class PacsQueueRepository:
    """SQL for ``pacs_queue``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, image_id: int, sop_instance_uid: str, queued_by: str, queued_at: str) -> bool:
        """Queue an instance, or queue a refused one again; False when it waits or was sent."""
        cur = self._conn.execute(
            "INSERT INTO pacs_queue (image_id, sop_instance_uid, queued_by, queued_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(sop_instance_uid) DO UPDATE SET "
            "state = 'waiting', queued_by = excluded.queued_by, queued_at = excluded.queued_at "
            "WHERE state = 'refused'",
            (image_id, sop_instance_uid, queued_by, queued_at))
        return cur.rowcount > 0

    def uids(self) -> set[str]:
        """Every SOP Instance UID this vault ever queued for the archive."""
        return {row[0] for row in self._conn.execute("SELECT sop_instance_uid FROM pacs_queue")}

    def waiting(self, limit: int = 1000) -> list[QueuedInstance]:
        """Return the instances still to send, oldest first."""
        return self._select("state = 'waiting' ORDER BY id LIMIT ?", (limit,))

    def claim(self, sender: str, now: str, until: str, limit: int = 1000
              ) -> list[QueuedInstance]:
        """Claim for one sender the waiting and refused instances no live claim holds.

        Run inside a write transaction, so two senders never claim the same
        row; the waiting go before refusals being asked again, so old
        refusals never crowd them out. Returns the rows claimed, oldest first.
        """
        self._conn.execute(
            "UPDATE pacs_queue SET claimed_by = ?, claimed_until = ? WHERE id IN ("
            "SELECT id FROM pacs_queue WHERE state IN ('waiting', 'refused') "
            "AND (claimed_until IS NULL OR claimed_until < ?) "
            "ORDER BY state = 'refused', id LIMIT ?)",
            (sender, until, now, limit))
        return self._select("claimed_by = ? ORDER BY id", (sender,))

    def keep_claim(self, sender: str, until: str) -> None:
        """Move a sender's claim on while it is still working."""
        self._conn.execute("UPDATE pacs_queue SET claimed_until = ? WHERE claimed_by = ?",
                           (until, sender))

    def release(self, sender: str) -> None:
        """Give up whatever a sender still claims."""
        self._conn.execute("UPDATE pacs_queue SET claimed_by = NULL, claimed_until = NULL "
                           "WHERE claimed_by = ?", (sender,))

    def claimants(self) -> set[str]:
        """Every sender holding a claim, lapsed or not."""
        return {row[0] for row in self._conn.execute(
            "SELECT DISTINCT claimed_by FROM pacs_queue WHERE claimed_by IS NOT NULL")}

    def claimed_elsewhere(self, now: str) -> int:
        """Count the waiting instances another sender is sending now."""
        return self._conn.execute(
            "SELECT count(*) FROM pacs_queue WHERE state = 'waiting' "
            "AND claimed_until >= ?", (now,)).fetchone()[0]

    def refused(self) -> list[QueuedInstance]:
        """Return the instances refused so far, with the reason, oldest first."""
        return self._select("state = 'refused' ORDER BY id", ())

    def by_state(self) -> dict[str, int]:
        """Count the instances in each state."""
        return dict(self._conn.execute("SELECT state, count(*) FROM pacs_queue GROUP BY state"))

    def last_failure(self) -> QueuedInstance | None:
        """Return the waiting instance tried most recently, with the reason it is still waiting."""
        rows = self._select("state = 'waiting' AND tried_at IS NOT NULL "
                            "ORDER BY tried_at DESC, id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def mark_sent(self, row_id: int, when: str) -> None:
        """Record that the archive stored the instance."""
        self._conn.execute(
            "UPDATE pacs_queue SET state = 'sent', attempts = attempts + 1, last_error = '', "
            "tried_at = ?, sent_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
            (when, when, row_id))

    def mark_failed(self, row_id: int, error: str, when: str, *, refused: bool = False) -> None:
        """Record a failed attempt: still waiting, or refused for good."""
        self._conn.execute(
            "UPDATE pacs_queue SET state = ?, attempts = attempts + 1, last_error = ?, "
            "tried_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
            ("refused" if refused else "waiting", error, when, row_id))

    def _select(self, where: str, params: tuple) -> list[QueuedInstance]:
        return [QueuedInstance(*row) for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM pacs_queue WHERE {where}", params)]
