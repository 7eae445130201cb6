"""Correcting chosen pictures from the record: only what differs is corrected, each audited.

A person fixes a picture's body site, kind, description or scale, or moves
it to the right patient, in one form. Each change is one of the filing
service's corrections, with the reason given, and nothing the picture
already says is corrected again: the record shows exactly what was changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FiledImage
from clinfile.app.filing.service import FilingError, FilingService, checked_reason, moved_since
from clinfile.app.patients.names import named_with_record
from clinfile.app.record.model import day_words
from clinfile.app.security.roles import Permission
from clinfile.app.security.session import Session
from clinfile.db.connection import Connection
from clinfile.db.filing import PatientLookup
from clinfile.db.record import RecordQueries


@dataclass(frozen=True)
class Correction:
    """What the chosen pictures should say; None leaves that part as it is.

    ``width_mm`` is how wide the whole picture is in life (read off a ruler in
    it); each picture's scale follows from its own width in pixels.
    """

    reason: str
    kind: ImageKind | None = None
    body_site: BodySite | None = None
    description: str | None = None
    width_mm: float | None = None
    to_patient: int | None = None


def correct_pictures(session: Session, patient_id: int, image_ids: list[int],
                     correction: Correction) -> list[str]:
    """Make the corrections each picture of ``patient_id``'s record needs; say what was done.

    The kind is corrected first, as the one most likely to be refused; the
    move comes last. Pictures already as asked are left alone. A picture
    another workstation moved to another record since this one was opened
    is not corrected here: the person was looking at a record that has
    changed, and nothing of it is corrected until they look again. Each
    correction checks again, as it is made, that the picture is still in
    ``patient_id``'s record, so a move made meanwhile is never overtaken.

    Raises:
        PolicyRefused: the person's role may not correct filings (audited).
        FilingError: a correction cannot be made; the message says which and why.
    """
    session.require(Permission.CORRECT_FILING, subject=f"images {image_ids}")
    checked_reason(correction.reason)
    filing = FilingService(session)
    with session.vault.index() as conn:
        widths = {i: facts.width for i, facts in RecordQueries(conn).facts(image_ids).items()}
        moved_to = _patient_words(conn, correction.to_patient)
        images = [filing.image(image_id) for image_id in image_ids]
        moved = [i for i in images if i.patient_id != patient_id]
        if moved:
            raise FilingError(moved_since(conn, moved[0].image_id, patient_id,
                                          moved[0].patient_id))
    done: list[str] = []
    for image in images:
        done += [f"{_picture_words(image)}: {change}" for change in
                 _correct_one(filing, image, patient_id, widths[image.image_id], correction,
                              moved_to)]
    if not done:
        raise FilingError("Nothing to correct: the pictures already say that.")
    return done


def _picture_words(image: FiledImage) -> str:
    """'the picture of the left knee taken 20/11/2026 (clinical photo)': no number to look up."""
    when = (f"taken {day_words(image.taken_at)}" if image.taken_at
            else f"filed {day_words(image.filed_at)}")
    return f"the picture of the {image.body_site.label} {when} ({image.kind.label})"


def _patient_words(conn: Connection, patient_id: int | None) -> str:
    """'TRAN, Linh (record 900002)' for the patient pictures are moved to."""
    found = None if patient_id is None else PatientLookup(conn).by_id(patient_id)
    if found is None:
        return "the other patient"
    return named_with_record(found.family_name, found.given_names, found.record_number)


def _correct_one(filing: FilingService, image: FiledImage, seen_in: int, width: int,
                 c: Correction, moved_to: str) -> list[str]:
    done = []
    reason = c.reason.strip()
    number = image.image_id
    if c.kind is not None and c.kind != image.kind:
        filing.correct_kind(number, c.kind, reason, filed_to=seen_in)
        done.append(f"now {c.kind.label}")
    if c.body_site is not None and c.body_site != image.body_site:
        filing.correct_body_site(number, c.body_site, reason, filed_to=seen_in)
        done.append(f"body site now {c.body_site.label}")
    if c.description is not None and " ".join(c.description.split()) != image.description:
        filing.correct_description(number, c.description, reason, filed_to=seen_in)
        done.append("description corrected")
    if c.width_mm:
        scale = round(width / c.width_mm, 4)
        if scale != image.pixels_per_mm:
            filing.set_scale(number, scale, reason, filed_to=seen_in)
            done.append(f"scale recorded ({c.width_mm:g} mm across)")
    if c.to_patient is not None and c.to_patient != image.patient_id:
        filing.move_to_patient(number, c.to_patient, reason, filed_to=seen_in)
        done.append(f"moved to the record of {moved_to}")
    return done

