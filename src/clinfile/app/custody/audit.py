"""The tamper-evident audit trail.

Each row carries an HMAC over its own content and the previous row's hash,
so changing, removing or reordering any row breaks the chain from there on.
The HMAC key is derived from the vault's first master key and kept in the
index across key changes; whoever holds the master key could chain rows
again, which is why admins seal the chain (``app.custody.seal``).
The newest sequence number and hash are also written to a small file beside
the index (itself HMAC'd): cutting rows off the end of the chain, which the
chain alone cannot show, makes that file point at a row that is gone.

That mark (the newest row's number and hash) is also the vault's generation:
every act appends a row, so an older copy of the index lacks the marked row
or holds a different one there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from clinfile.app import clock
from clinfile.app.custody.crypto import mac, same
from clinfile.db.audit import AuditRepository, AuditRow
from clinfile.db.connection import Connection, transaction, write_atomically

log = logging.getLogger("clinfile.audit")

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditMark:
    """The newest row some record outside the index has seen: its number and hash."""

    seq: int
    hash: str

    @classmethod
    def of(cls, row: AuditRow) -> AuditMark:
        """Return the mark of one row."""
        return cls(row.seq, row.hash)

    def found_in(self, conn: Connection) -> bool:
        """Whether the index holds this very row, so it is not an older or other copy."""
        row = AuditRepository(conn).at_seq(self.seq)
        return row is not None and same(row.hash, self.hash)


@dataclass(frozen=True)
class AuditEntry:
    """What a caller records: who did what to which thing, with details."""

    actor: str
    action: str
    subject: str = ""
    detail: dict[str, Any] | None = None


class AuditedWork:
    """One unit of work on the index: its writes and their audit rows, in one transaction.

    Made by :meth:`AuditTrail.unit` (or ``Vault.audited``); what the block
    writes through :attr:`conn` and records with :meth:`record` is committed
    together or not at all, and the newest row becomes the audit head after
    the commit, so no writer has to remember to move the head on.
    """

    def __init__(self, conn: Connection, trail: AuditTrail) -> None:
        self.conn = conn
        self._trail = trail
        self.last: AuditRow | None = None

    def record(self, entry: AuditEntry, *, at: datetime | None = None) -> AuditRow:
        """Append one audit row to this unit's transaction."""
        self.last = self._trail.append(self.conn, entry, at=at)
        return self.last


class AuditTrail:
    """Appends chained rows and checks the chain and its head."""

    _head_lock = threading.Lock()

    def __init__(self, audit_key: bytes, head_path: Path,
                 on_publish: Callable[[], None] | None = None) -> None:
        self._key = audit_key
        self._head_path = Path(head_path)
        self._on_publish = on_publish

    def append(self, conn: Connection, entry: AuditEntry, *, at: datetime | None = None
               ) -> AuditRow:
        """Append one row inside the caller's open transaction.

        Recording inside the caller's transaction means an act and its audit
        row are committed together or not at all. Writers use :meth:`unit`,
        which also publishes the head after the commit; appending alone is for
        making a vault, whose first head is written outright.
        """
        repo = AuditRepository(conn)
        last = repo.last()
        prev_hash = last.hash if last else GENESIS
        seq = last.seq + 1 if last else 1
        at_text = clock.stamp(at)
        detail = json.dumps(entry.detail or {}, sort_keys=True, separators=(",", ":"))
        unsigned = AuditRow(seq, at_text, entry.actor, entry.action, entry.subject, detail,
                            prev_hash, "")
        row = AuditRow(**{**unsigned.__dict__, "hash": self._row_hash(unsigned)})
        repo.append(row)
        return row

    @contextlib.contextmanager
    def unit(self, conn: Connection, *, head_failure_logged: bool = False
             ) -> Iterator[AuditedWork]:
        """Run a block as one audited unit of work on ``conn``.

        The block's writes and the rows it records commit together; a failure
        inside leaves neither. After the commit the newest row is published as
        the head. ``head_failure_logged`` is for writers whose act must not
        be reported as failed once committed (a picture safe in the vault): a
        head file that cannot be written is logged instead of raised, and the
        next write moves the head on.
        """
        work = AuditedWork(conn, self)
        with transaction(conn):
            yield work
        if work.last is None:
            return
        try:
            self.publish_head(work.last)
        except OSError:
            if not head_failure_logged:
                raise
            log.exception("the audit head could not be written")

    def record(self, conn: Connection, entry: AuditEntry) -> AuditRow:
        """Append one row in a transaction of its own and publish the new head."""
        with self.unit(conn) as work:
            return work.record(entry)

    def publish_head(self, row: AuditRow) -> None:
        """Write the newest committed row's number and hash beside the index.

        Called by :meth:`unit` after its commit, and nowhere else in the
        application, so a write cannot forget it.

        Writers on several threads may finish out of order; the head only
        ever moves forward. A missing or damaged head is left as it is, for
        verification to report: only making a vault, or an admin accepting
        the vault as it stands, writes a head where there was none.
        """
        if self._on_publish is not None:
            self._on_publish()
        with self._head_lock:
            try:
                current = self.head()
            except ValueError:
                return
            if current is None or current.seq >= row.seq:
                return
            self.write_head(self._head_path, row)

    def write_head(self, path: Path, row: AuditRow) -> None:
        """Write a head file for ``row`` at ``path`` (also used for backups)."""
        body = json.dumps({"seq": row.seq, "hash": row.hash}, sort_keys=True)
        document = {"seq": row.seq, "hash": row.hash, "mac": mac(self._key, body.encode())}
        write_atomically(path, json.dumps(document, sort_keys=True,
                                          separators=(",", ":")).encode())

    def problems(self, conn: Connection) -> list[str]:
        """Return every break found in the chain and in its head."""
        found: list[str] = []
        prev_hash = GENESIS
        expected_seq = 1
        last: AuditRow | None = None
        for row in AuditRepository(conn).rows():
            if row.seq != expected_seq:
                found.append(f"audit row {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != prev_hash:
                found.append(f"audit row {row.seq} does not follow the row before it")
            if not same(row.hash, self._row_hash(row)):
                found.append(f"audit row {row.seq} was changed after it was written")
            prev_hash, expected_seq, last = row.hash, row.seq + 1, row
        found += self._head_problems(conn, last)
        return found

    def _head_problems(self, conn: Connection, last: AuditRow | None) -> list[str]:
        try:
            head = self.head()
        except ValueError as exc:
            return [f"the audit head file is damaged or was edited: {exc}"]
        if head is None:
            return [] if last is None else ["the audit head file is missing"]
        row = AuditRepository(conn).at_seq(head.seq)
        if row is None:
            return [f"the audit trail was cut short: row {head.seq} is gone"]
        if not same(row.hash, head.hash):
            return [f"audit row {head.seq} does not match the audit head file"]
        return []

    def head(self) -> AuditMark | None:
        """Return the mark in the head file, None if there is none.

        Raises:
            ValueError: the file is unreadable or its HMAC does not match.
        """
        try:
            document = json.loads(self._head_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(str(exc)) from None
        try:
            seq, head_hash = int(document["seq"]), str(document["hash"])
            body = json.dumps({"seq": seq, "hash": head_hash}, sort_keys=True)
            valid = same(mac(self._key, body.encode()), str(document["mac"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
        if not valid:
            raise ValueError("its signature does not match")
        return AuditMark(seq, head_hash)

    def _row_hash(self, row: AuditRow) -> str:
        material = json.dumps(
            [row.seq, row.at, row.actor, row.action, row.subject, row.detail, row.prev_hash],
            separators=(",", ":"),
        )
        return mac(self._key, material.encode())


def rows_as_dicts(rows: Iterator[AuditRow]) -> Iterator[dict[str, Any]]:
    """Turn rows into plain dictionaries for JSON output, details decoded."""
    for row in rows:
        yield {
            "seq": row.seq, "at": row.at, "actor": row.actor, "action": row.action,
            "subject": row.subject, "detail": json.loads(row.detail), "hash": row.hash,
        }
