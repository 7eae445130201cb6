"""Correcting chosen pictures from the record, and saying what was done as a person would.

A person fixes a picture's body site, kind, description or scale, or moves
it to the right patient, in one form. The filing service makes the whole
correction in one write (every picture, or none); here each change made is
put in words, and nothing the picture already said is reported as changed.
"""

from __future__ import annotations

from clinfile.app.filing.model import CorrectedPicture, Correction
from clinfile.app.filing.service import FilingService, picture_words
from clinfile.app.patients.names import named_with_record
from clinfile.app.security.session import Session
from clinfile.db.filing import PatientLookup

__all__ = ["Correction", "correct_pictures"]


def correct_pictures(session: Session, patient_id: int, image_ids: list[int],
                     correction: Correction) -> list[str]:
    """Correct pictures seen in ``patient_id``'s record, all or none; say what was done.

    Raises:
        PolicyRefused: the person's role may not correct filings (audited).
        FilingError: nothing was corrected; the message says which picture and why.
    """
    done = FilingService(session).correct(image_ids, correction, filed_to=patient_id)
    moved_to = _patient_words(session, correction.to_patient)
    return [f"{picture_words(picture.before)}: {change}" for picture in done
            for change in _change_words(picture, correction, moved_to)]


def _change_words(picture: CorrectedPicture, c: Correction, moved_to: str) -> list[str]:
    """'now clinical photo', 'moved to the record of TRAN, Linh (record 900002)'."""
    words = {"kind": lambda: f"now {c.kind.label}",
             "body-site": lambda: f"body site now {c.body_site.label}",
             "description": lambda: "description corrected",
             "scale": lambda: f"scale recorded ({c.width_mm:g} mm across)",
             "patient": lambda: f"moved to the record of {moved_to}"}
    return [words[what]() for what in picture.changed]


def _patient_words(session: Session, patient_id: int | None) -> str:
    """'TRAN, Linh (record 900002)' for the patient pictures were moved to."""
    if patient_id is None:
        return ""
    with session.vault.index() as conn:
        found = PatientLookup(conn).by_id(patient_id)
    if found is None:
        return "the other patient"
    return named_with_record(found.family_name, found.given_names, found.record_number)
