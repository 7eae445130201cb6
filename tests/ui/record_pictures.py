"""Real pictures filed into patients' records through the import and filing services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import PASSWORDS
from tests.ui.helpers import add_patients, copy_into

PATIENTS = [("900001", "Nguyen", "Mai", "1990-06-05", "Footscray"),
            ("900002", "Tran", "Linh", "1988-02-14", "Richmond")]


def file_pictures(vault_path: Path, corpus: Path, tmp_path: Path,
                  plan: list[tuple[int, str, str]], photos: list[Path] | None = None,
                  patients: list[tuple[str, str, str, str, str]] = PATIENTS
                  ) -> tuple[list[int], list[int]]:
    """Add the patients (two unless told) and file one corpus photo per plan row.

    A plan row is ``(patient index, body site, description)``.

    Each picture is its own episode, filed by the clinician on the patient's
    spoken consent for their care. Returns the patients' ids and the
    pictures' ids, in the order of ``plan``. The photos are the corpus's
    first JPEGs unless ``photos`` names others.
    """
    from clinfile.app.consent.model import Disclosure
    from clinfile.app.consent.service import ConsentRequest, ConsentService
    from clinfile.app.consent.vocabulary import (
        ImageKind,
        Method,
        Purpose,
        Recipient,
        RecipientClass,
    )
    from clinfile.app.filing.body_sites import BodySite
    from clinfile.app.filing.model import FilingRequest
    from clinfile.app.filing.service import FilingService
    from clinfile.app.ingest.service import ImportService
    from clinfile.app.security.session import Session

    patients = add_patients(vault_path, patients)
    photos = photos or sorted((corpus / "exif-samples" / "jpg").glob("*.jpg"))[:len(plan)]
    copies = copy_into(photos, tmp_path / "to-file")
    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    for _event in ImportService(doctor).import_paths(copies):
        pass
    inbox = {Path(row.source_path).name: row.id for row in ImportService(doctor).inbox()}
    consents = {}
    for patient_id in patients:
        consents[patient_id] = ConsentService(doctor).record(ConsentRequest(
            patient_id=patient_id, method=Method.VERBAL,
            purposes=frozenset({Purpose.CLINICAL_CARE}),
            recipients=(Recipient(group=RecipientClass.TREATING_TEAM),),
            obtained_by="clinician", obtained_on=date.today(),
            disclosure=Disclosure(True, True, True))).code
    ids = []
    for copy, (which, site, description) in zip(copies, plan, strict=True):
        image_id = inbox[copy.name]
        patient_id = patients[which]
        FilingService(doctor).file(FilingRequest(
            image_ids=(image_id,), patient_id=patient_id, kind=ImageKind.CLINICAL_PHOTO,
            body_site=BodySite.parse(site), description=description,
            consent=consents[patient_id], episode_description=description))
        ids.append(image_id)
    doctor.lock()
    return patients, ids
