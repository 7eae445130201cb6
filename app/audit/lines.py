"""One audit row in words a person reads: local time, who, what, about what, details."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from app.escaping import escaped
from db.audit import AuditRow

HEADINGS = ("Entry", "When", "Who", "What", "About", "Details")


@dataclass(frozen=True)
class AuditLine:
    """What one row says, every word escaped so a hostile name cannot forge a line."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    details: str

    @classmethod
    def of(cls, row: AuditRow) -> AuditLine:
        """Read one stored row."""
        return cls(row.seq, local_time(row.at), escaped(row.actor), action_words(row.action),
                   escaped(row.subject), details_in_words(row.detail))

    @property
    def cells(self) -> tuple[str, ...]:
        """The line's parts in the order of :data:`HEADINGS`."""
        return (str(self.seq), self.at, self.actor, self.action, self.subject, self.details)


def local_time(stamp: str) -> str:
    """'01/12/2026 21:49:14': a stored UTC time as the practice's clock showed it."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return escaped(stamp)


def action_words(action: str) -> str:
    """'images exported' for ``images.exported``: the kind of act without the dots."""
    return escaped(action.replace(".", " ").replace("_", " "))


def details_in_words(detail: str) -> str:
    """'purpose: teaching; images: 4, 5' for the stored JSON details."""
    try:
        values = json.loads(detail)
    except ValueError:
        return escaped(detail)
    if not isinstance(values, dict):
        return escaped(detail)
    return "; ".join(f"{escaped(key).replace('_', ' ')}: {_value(value)}"
                     for key, value in values.items())


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{escaped(k)} {_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escaped(value)
