"""What the practice may now delete, with the patient named, for the manager to check first.

The dates and the role check are :class:`RetentionService`'s; this only
adds who each picture belongs to and what it shows, so a person confirming a
deletion sees the records, not numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinfile.app.clock import day_words
from clinfile.app.escaping import escaped
from clinfile.app.filing.model import load_filed
from clinfile.app.filing.retention import RetentionService
from clinfile.app.patients.dates import show
from clinfile.app.patients.names import named_with_record
from clinfile.app.security.session import Session
from clinfile.db.filing import PatientLookup


@dataclass(frozen=True)
class DueImage:
    """One picture past its retention date."""

    image_id: int
    patient: str
    born: str
    description: str
    site: str
    taken: str
    last_entry: date
    keep_until: date

    @property
    def named(self) -> str:
        """'NGUYEN, Mai (record 900001): left ankle, taken 30/05/2008', for a confirmation."""
        return f"{self.patient}: {self.site}, taken {self.taken}"


def due_for_deletion(session: Session, today: date | None = None) -> list[DueImage]:
    """Return every picture past its retention date, oldest first, with its patient named."""
    due = RetentionService(session).due(today)
    with session.vault.index() as conn:
        patients = PatientLookup(conn)
        images = load_filed(conn, [r.image_id for r in due])
        found = []
        for retention in due:
            patient = patients.by_id(retention.patient_id)
            image = images[retention.image_id]
            found.append(DueImage(
                retention.image_id,
                escaped(named_with_record(patient.family_name, patient.given_names,
                                          patient.record_number or "")),
                show(date.fromisoformat(patient.birth_date)) if patient.birth_date
                else "not known",
                escaped(image.description or image.kind.replace("-", " ")),
                escaped(image.body_site.label), day_words(image.taken_at),
                retention.last_entry, retention.keep_until))
    return found
