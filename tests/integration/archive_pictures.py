"""Real corpus pictures imported and filed, for the DICOM, PACS and FHIR tests."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from PIL import Image

from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.service import ImportService
from clinfile.db.connection import transaction
from clinfile.db.patients import PatientRepository, PatientValues

#: One picture of every kind of source the archive must carry.
SOURCES = ("jpg/Canon_40D.jpg", "jpg/gps/DSCN0010.jpg", "jpg/orientation/portrait_6.jpg",
           "heic/IMG_5195.HEIC", "tiff/Arbitro.tiff", "png:tiff/BSG1.tiff")


def add_patient(session, record_number="MN1990", family="Nguyen", given="Mai",
                born="1990-06-05", sex="female") -> int:
    """Add a patient to the index and return their id."""
    with session.vault.index() as conn, transaction(conn):
        return PatientRepository(conn).add(PatientValues(
            record_number=record_number, family_name=family, given_names=given,
            birth_date=born, sex=sex), "2026-03-12T08:00:00+00:00").id


def corpus_copies(corpus: Path, names, folder: Path) -> list[Path]:
    """Copy corpus pictures into a folder; ``png:NAME`` is the picture saved as a PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for name in names:
        as_png = name.startswith("png:")
        source = corpus / "exif-samples" / name.removeprefix("png:")
        target = folder / (source.stem + (".png" if as_png else source.suffix))
        if as_png:
            with Image.open(source) as picture:
                picture.save(target, "PNG")
        else:
            shutil.copy(source, target)
        copies.append(target)
    return copies


def import_files(session, files: list[Path]) -> list[int]:
    """Take files into the vault through the real pipeline; return the new items' ids."""
    events = ImportService(session).import_paths(files)
    ids = [event.item_id for event in events if isinstance(event, ev.Imported)]
    assert len(ids) == len(files), f"only {len(ids)} of {len(files)} were taken in"
    return ids


def care_consent(session, patient_id: int, purposes=(Purpose.CLINICAL_CARE,),
                 recipients=(RecipientClass.TREATING_TEAM,), method=Method.VERBAL):
    """Record a consent the clinician obtained and return it."""
    return ConsentService(session).record(ConsentRequest(
        patient_id=patient_id, method=method, purposes=frozenset(purposes),
        recipients=tuple(Recipient(group=r) for r in recipients), obtained_by="clinician",
        obtained_on=date.today(), disclosure=Disclosure(True, True, True)))


def file_pictures(session, ids: list[int], patient_id: int, *, site="left-ankle: lateral malleolus",
                  kind=ImageKind.CLINICAL_PHOTO, consent=None, episode="rash, left ankle"):
    """File items as one episode on a verbal consent for care; return the episode."""
    if consent is None and kind is ImageKind.CLINICAL_PHOTO:
        consent = care_consent(session, patient_id).code
    return FilingService(session).file(FilingRequest(
        image_ids=tuple(ids), patient_id=patient_id, kind=kind, body_site=BodySite.parse(site),
        description="rash", consent=consent, episode_description=episode))
