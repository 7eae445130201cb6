"""One audit row in words a person reads: local time, who, what, about what, details."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from clinfile.app.escaping import escaped
from clinfile.db.audit import AuditRow

if TYPE_CHECKING:
    from clinfile.app.audit.naming import AuditNames

HEADINGS = ("Entry", "When", "Who", "What", "About", "Details")

# Stored keys whose plain reading would still be unclear.
_KEY_WORDS = {"patient_id": "patient", "from_patient_id": "moved from",
              "to_patient_id": "moved to", "image_id": "picture", "images": "pictures",
              "what": "what changed", "keep_until": "kept until"}


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
    def of(cls, row: AuditRow, names: AuditNames) -> AuditLine:
        """Read one stored row, naming the patients and pictures it is about."""
        return cls(row.seq, local_time(row.at), escaped(row.actor), action_words(row.action),
                   names.subject(row.subject), details_in_words(row.detail, names))

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


def details_in_words(detail: str, names: AuditNames) -> str:
    """'patient: Mai Nguyen, record 900001; pictures: 4, 5' for the stored JSON details."""
    try:
        values = json.loads(detail)
    except ValueError:
        return escaped(detail)
    if not isinstance(values, dict):
        return escaped(detail)
    return "; ".join(f"{_key(key)}: {_named(key, value, names)}"
                     for key, value in values.items())


def _key(key: str) -> str:
    """'moved from' for ``from_patient_id``: a stored key as a person says it."""
    return _KEY_WORDS.get(key) or escaped(key.removesuffix("_id").replace("_", " "))


def _named(key: str, value: object, names: AuditNames) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if key.endswith("patient_id"):
            return names.patient(value)
        if key == "image_id":
            return names.picture(value)
    return _value(value)


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{_key(k)} {_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escaped(value)
