"""Exporting what is in one patient's record, as the desk's Export command does.

The window asks :func:`check_export` before it asks for a folder, and the
export passes the consent gate again inside the report service; a refusal
comes back as :class:`app.uses.gate.UseRefused` with the reason and the
remedy, for the window to explain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clinfile.app.consent.vocabulary import Purpose, Recipient
from clinfile.app.filing.service import FilingService
from clinfile.app.reports.service import ReportError, ReportService, Selection, Written
from clinfile.app.security.session import Session
from clinfile.app.uses.gate import ensure_allowed


@dataclass(frozen=True)
class ExportRequest:
    """One patient's filed pictures, for one purpose and recipient, in one format.

    ``image_ids`` chooses some of the patient's pictures; empty means all of them.
    """

    patient_id: int
    purpose: Purpose
    recipient: Recipient
    file_format: str
    folder: Path
    image_ids: tuple[int, ...] = ()


def check_export(session: Session, patient_id: int, purpose: Purpose, recipient: Recipient,
                 image_ids: tuple[int, ...] = ()) -> None:
    """Refuse an export its consent would refuse, before the person is asked for a folder.

    Raises:
        UseRefused: the consent rules refuse a picture (audited by the gate).
        PolicyRefused: the person's role may not export.
        ReportError: the record holds no pictures, or a chosen one is not in it.
    """
    ensure_allowed(session, _chosen_images(session, patient_id, image_ids), purpose, recipient,
                   deidentified=not purpose.clinical)


def export_record(session: Session, request: ExportRequest) -> Written:
    """Export the chosen pictures (or all) of the patient's record, if their consent allows it.

    The report service reads the record once, and refuses a chosen picture
    that is no longer in it.

    Raises:
        UseRefused: the consent rules refuse a picture (audited by the gate).
        PolicyRefused: the person's role may not export.
        ReportError: the record holds no pictures, or a chosen one is not in it.
    """
    return ReportService(session).export(
        Selection(patient=request.patient_id, image_ids=request.image_ids), request.purpose,
        request.recipient, file_format=request.file_format, out=request.folder)


def _chosen_images(session: Session, patient_id: int, image_ids: tuple[int, ...]) -> list[int]:
    """The pictures chosen, every one in the patient's record; none chosen means all of them."""
    images = [i.image_id for i in FilingService(session).images_of(patient_id)
              if not i.deleted]
    if not images:
        raise ReportError("There are no filed pictures in this patient's record yet.")
    outside = [i for i in image_ids if i not in images]
    if outside:
        raise ReportError(f"Picture {outside[0]} is not in this patient's record now; "
                          "open the record again and choose once more.")
    return list(image_ids) or images
