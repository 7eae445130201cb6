"""Consents, their withdrawals and the uses made of images, as rows of the index.

Lists (purposes, recipients, images) are stored as JSON arrays of the words
the command line uses; turning them into the domain's types is the caller's
business, so this module knows nothing of the rules.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields

from clinfile.db.connection import Connection


@dataclass(frozen=True)
class NewConsent:
    """What is written for one consent, already checked by the caller."""

    patient_id: int
    code: str
    method: str
    purposes: tuple[str, ...]
    recipients: tuple[str, ...]
    images: tuple[int, ...]
    decided_by_name: str
    decided_by_relationship: str
    told_why: bool
    told_how_used: bool
    told_who_sees: bool
    interpreter: str
    obtained_by: str
    obtained_on: str
    expires_on: str | None
    signed_form_blob: str | None
    note: str
    recorded_by: str
    recorded_at: str


@dataclass(frozen=True)
class ConsentRow(NewConsent):
    """One stored consent."""

    id: int = 0


@dataclass(frozen=True)
class WithdrawalRow:
    """One withdrawal of some of a consent's purposes."""

    id: int
    consent_id: int
    purposes: tuple[str, ...]
    withdrawn_on: str
    reason: str
    recorded_by: str
    recorded_at: str


@dataclass(frozen=True)
class NewUse:
    """One use of an image that the consent rules allowed."""

    image_id: int
    patient_id: int
    purpose: str
    recipient: str
    channel: str
    consent_id: int | None
    used_by: str
    used_at: str


@dataclass(frozen=True)
class UseRow(NewUse):
    """One stored use; ``outcome`` is 'sent', 'not made', or None while not known."""

    id: int = 0
    outcome: str | None = None


_NEW_COLUMNS = [f.name for f in fields(NewConsent)]
_COLUMNS = ", ".join([*_NEW_COLUMNS, "id"])
_LISTS = ("purposes", "recipients", "images")
_FLAGS = ("told_why", "told_how_used", "told_who_sees")
_WITHDRAWAL_COLUMNS = "id, consent_id, purposes, withdrawn_on, reason, recorded_by, recorded_at"
_USE_COLUMNS = ", ".join([f.name for f in fields(NewUse)] + ["id", "outcome"])
SENT, NOT_MADE = "sent", "not made"


class ConsentRepository:
    """SQL for ``consents``, ``consent_withdrawals`` and ``image_uses``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, consent: NewConsent) -> ConsentRow:
        """Insert a consent and return the stored row."""
        values = [
            json.dumps(list(value)) if name in _LISTS else int(value) if name in _FLAGS else value
            for name, value in zip(_NEW_COLUMNS, astuple(consent), strict=True)
        ]
        cur = self._conn.execute(
            f"INSERT INTO consents ({', '.join(_NEW_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(values))})", values,
        )
        return self.by_id(int(cur.lastrowid))

    def by_id(self, consent_id: int) -> ConsentRow | None:
        """Return a consent by id, or None."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM consents WHERE id = ?", (consent_id,))
        found = row.fetchone()
        return _to_consent(found) if found else None

    def by_code(self, code: str) -> ConsentRow | None:
        """Return a consent by the short code printed on its form, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM consents WHERE code = ? COLLATE NOCASE", (code,)
        ).fetchone()
        return _to_consent(row) if row else None

    def for_patient(self, patient_id: int) -> list[ConsentRow]:
        """Return every consent of one patient, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM consents WHERE patient_id = ? ORDER BY obtained_on, id",
            (patient_id,),
        )
        return [_to_consent(r) for r in rows]

    def any_awaiting_signed_form(self) -> bool:
        """Return whether some written consent still waits for its signed form."""
        return self._conn.execute(
            "SELECT 1 FROM consents WHERE method = 'written' AND signed_form_blob IS NULL LIMIT 1"
        ).fetchone() is not None

    def attach_signed_form(self, consent_id: int, blob_id: str) -> None:
        """Link the signed form's scan to a written consent."""
        self._conn.execute(
            "UPDATE consents SET signed_form_blob = ? WHERE id = ?", (blob_id, consent_id)
        )

    def add_withdrawal(self, consent_id: int, purposes: tuple[str, ...], withdrawn_on: str,
                       reason: str, recorded_by: str, recorded_at: str) -> WithdrawalRow:
        """Record that some purposes of a consent were taken back."""
        cur = self._conn.execute(
            "INSERT INTO consent_withdrawals (consent_id, purposes, withdrawn_on, reason, "
            "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (consent_id, json.dumps(list(purposes)), withdrawn_on, reason, recorded_by,
             recorded_at),
        )
        row = self._conn.execute(
            f"SELECT {_WITHDRAWAL_COLUMNS} FROM consent_withdrawals WHERE id = ?",
            (cur.lastrowid,),
        ).fetchone()
        return _to_withdrawal(row)

    def withdrawals(self, consent_id: int) -> list[WithdrawalRow]:
        """Return a consent's withdrawals, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_WITHDRAWAL_COLUMNS} FROM consent_withdrawals WHERE consent_id = ? "
            "ORDER BY withdrawn_on, id", (consent_id,),
        )
        return [_to_withdrawal(r) for r in rows]

    def add_use(self, use: NewUse) -> UseRow:
        """Record one allowed use of an image."""
        [row] = self.add_uses([use])
        return row

    def add_uses(self, uses: Sequence[NewUse]) -> list[UseRow]:
        """Record allowed uses of images, in one statement however many there are."""
        names = [f.name for f in fields(NewUse)]
        picked = ", ".join(f"value ->> {n}" for n in range(len(names)))
        rows = self._conn.execute(
            f"INSERT INTO image_uses ({', '.join(names)}) SELECT {picked} FROM json_each(?) "
            f"ORDER BY key RETURNING {_USE_COLUMNS}",
            (json.dumps([astuple(use) for use in uses]),),
        ).fetchall()
        return sorted((UseRow(*r) for r in rows), key=lambda use: use.id)

    def settle_uses(self, use_ids: Sequence[int], outcome: str) -> None:
        """Record whether allowed uses were made: :data:`SENT` or :data:`NOT_MADE`.

        A use already settled keeps its outcome.
        """
        self._conn.execute(
            "UPDATE image_uses SET outcome = ? WHERE outcome IS NULL "
            "AND id IN (SELECT value FROM json_each(?))", (outcome, json.dumps(list(use_ids))))

    def uses_under_consent(self, consent_id: int, purposes: tuple[str, ...]) -> list[UseRow]:
        """Return the uses one consent allowed for some purposes, oldest first.

        Each use names the consent the rules rested on when it was allowed;
        uses another consent allowed, or that needed none, are not this one's.
        """
        marks = ", ".join("?" * len(purposes))
        rows = self._conn.execute(
            f"SELECT {_USE_COLUMNS} FROM image_uses WHERE consent_id = ? "
            f"AND purpose IN ({marks}) ORDER BY used_at, id", (consent_id, *purposes),
        )
        return [UseRow(*r) for r in rows]


def _to_consent(row: tuple) -> ConsentRow:
    values = dict(zip([*_NEW_COLUMNS, "id"], row, strict=True))
    for name in _LISTS:
        values[name] = tuple(json.loads(values[name]))
    for name in _FLAGS:
        values[name] = bool(values[name])
    return ConsentRow(**values)


def _to_withdrawal(row: tuple) -> WithdrawalRow:
    values = list(row)
    values[2] = tuple(json.loads(values[2]))
    return WithdrawalRow(*values)
